/// Elements that only a page's script makes clickable: a `<div>` or `<span>` with a click listener has
/// no interactive role, so a WebArena-format observation shows it as text, or not at all, and a policy
/// that chooses among the interactive elements is never offered it (MiniWoB++'s inbox rows, tree
/// folders and board cells). Where a backend can see listeners (Chromium's DOM snapshot), the observation
/// marks such an element `clickable: True`, as BrowserGym's observations do, names it by its text when it
/// has no name of its own, and the candidate list offers a click on it.
public enum ScriptClickable {
    /// The property printed on a marked element's line.
    public static let property = "clickable"

    /// Roles that are interactive already, or not elements: the marker would add nothing to them.
    public static let nativelyInteractive: Set<String> = [
        "link", "button", "menuitem", "menuitemcheckbox", "menuitemradio", "tab", "checkbox", "radio", "option",
        "switch", "treeitem", "textbox", "searchbox", "combobox", "listbox", "slider", "spinbutton", "scrollbar",
        "RootWebArea", "WebArea", "Iframe", "StaticText", "InlineTextBox", "LineBreak", "ListMarker",
    ]

    /// Longest name taken from an element's text: an inbox row is named by its sender and subject, a
    /// container with a whole page of text under it is left unnamed rather than repeating the page.
    public static let maxNameLength = 80

    /// The name of a marked element without one: its text, white space collapsed, when it is short.
    public static func name(fromText text: String) -> String {
        let words = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return words.count <= maxNameLength ? words : ""
    }

    /// Whether an observation line (`[12] generic 'Inbox' clickable: True`) marks its element.
    public static func isMarked(_ line: some StringProtocol) -> Bool {
        line.hasSuffix(" \(property): True") || line.contains(" \(property): True ")
    }
}
