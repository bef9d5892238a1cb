import WebBrowser

/// What the scripted solver and the page-content checks need from a browser beyond
/// `BrowserEnvironment`: finding elements by role and name, and reading page text.
public protocol ScriptableBrowser: BrowserEnvironment {
    /// The active tab's URL.
    var currentURL: String { get }
    /// Ids (as in observations) of the elements with this role (any role when nil) and name,
    /// exact name matches first, then case-insensitive containment.
    func elementIDs(role: String?, name: String) -> [Int]
    /// The visible text of the current page (`locator` empty), of the elements a simple CSS
    /// selector matches, or of the accessibility node `role=... name=...`; nil when nothing matches.
    func text(locator: String) -> String?
}
