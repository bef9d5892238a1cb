import NNetnavSupport
import WebBrowser

/// What the scripted solver, sign-in and the page-content checks need from a browser beyond
/// `BrowserEnvironment`: the URL, elements by role and name, page text, and freeing it after a task.
/// Both backends conform: the native `BrowserSession` here, `ChromiumEnvironment` in Environments (it needs both modules).
///
/// The reads describe the page of the latest observation. They are async because a backend may
/// have to ask its browser process (Chromium reads page text by running the page's own DOM).
public protocol ScriptableBrowser: BrowserEnvironment {
    /// The active tab's URL.
    var currentURL: String { get async }
    /// Ids (as in observations) of the elements with this role (any role when nil) and name,
    /// as `NameLookup` orders them: exact name matches first, then case-insensitive containment.
    func elementIDs(role: String?, name: String) async -> [Int]
    /// The visible text `locator` selects; nil when nothing matches. Throws only when the
    /// browser itself fails, so a broken browser is not mistaken for a missing element.
    func text(_ locator: TextLocator) async throws -> String?
    /// Frees what the browser holds beyond memory (a Chromium browser context); it is not used after.
    func close() async
    /// The session cookies of this browser, to reuse a sign-in in another one; nil when the
    /// backend cannot hand them over (then each browser signs in itself).
    func sessionCookies() async throws -> [JSONValue]?
    /// Adds cookies `sessionCookies()` gave; false when the backend cannot.
    func addSessionCookies(_ cookies: [JSONValue]) async throws -> Bool
    /// The page's exposed elements in document order, with each link's resolved target; empty when
    /// the backend cannot list them (then `ClickNavigation` leaves a solution's `goto` as written).
    func elements() async -> [PageElement]
}

/// An element of the page: id, role and name as the observation shows them, and a link's target.
public struct PageElement: Sendable, Hashable {
    public var id: Int
    public var role: String
    public var name: String
    /// The resolved `href` of a link; nil for anything else.
    public var url: String?

    public init(id: Int, role: String, name: String, url: String? = nil) {
        self.id = id
        self.role = role
        self.name = name
        self.url = url
    }
}

extension ScriptableBrowser {
    public func sessionCookies() async throws -> [JSONValue]? { nil }
    public func addSessionCookies(_ cookies: [JSONValue]) async throws -> Bool { false }
    public func elements() async -> [PageElement] { [] }
}

/// What page text a `program_html` check reads: the whole page (an empty locator), the elements a
/// CSS selector matches (`main table`), an accessibility node (`role=heading name=Order # 1`), or
/// the value of a JavaScript expression evaluated in the page (WebArena's locators, which start
/// with `document.` or `[...document.`).
public enum TextLocator: Sendable, Equatable {
    case page
    case selector(String)
    case accessibilityNode(role: String?, name: String)
    /// The expression's value as a string ("" for null or undefined); nil when it throws, as
    /// WebArena reads a locator that throws as nothing. Only a browser that runs JavaScript can read it.
    case javaScript(String)

    public init(_ locator: String) {
        let trimmed = locator.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty {
            self = .page
        } else if trimmed.hasPrefix("document.") || trimmed.hasPrefix("[...document.") {
            self = .javaScript(trimmed)
        } else if trimmed.hasPrefix("role=") || trimmed.hasPrefix("name=") {
            var role: String?
            var name = ""
            if let r = trimmed.range(of: "role=") { role = String(trimmed[r.upperBound...].prefix { !$0.isWhitespace }) }
            if let n = trimmed.range(of: "name=") { name = String(trimmed[n.upperBound...]).trimmingCharacters(in: .whitespaces) }
            self = .accessibilityNode(role: role, name: name)
        } else {
            self = .selector(trimmed)
        }
    }
}

public enum ScriptableBrowserError: Error, CustomStringConvertible, Sendable {
    case javaScriptUnsupported(String)

    public var description: String {
        switch self {
        case .javaScriptUnsupported(let expression):
            return "the native browser runs no JavaScript, so it cannot evaluate the locator \(expression.prefix(80)); use --browser chromium"
        }
    }
}
