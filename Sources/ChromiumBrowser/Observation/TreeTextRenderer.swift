import Foundation

/// Renders a page tree in WebArena's text format (`browser_env/processors.py`):
/// tab-indented `[id] role 'name' prop: value` lines, uninformative nodes skipped, and a
/// StaticText line dropped when its text already appears in one of the three lines above.
public struct TreeTextRenderer: Sendable {
    // The rules below match the native browser's `ObservationRenderer`, so both backends print
    // the same page the same way.

    /// Properties WebArena drops (`IGNORED_ACTREE_PROPERTIES`), plus `url` and `value`: a field's
    /// value shows as its StaticText child, a link's URL is not printed by WebArena either.
    public static let ignoredProperties: Set<String> = [
        "focusable", "editable", "readonly", "level", "settable", "multiline", "invalid", "url", "value",
    ]
    /// Range widgets have no text child, so their value stays.
    public static let rangeRoles: Set<String> = ["slider", "progressbar", "meter", "scrollbar"]
    /// Roles whose nodes are skipped when they have no name and no printed properties.
    public static let skippedWhenEmpty: Set<String> = [
        "generic", "img", "list", "strong", "paragraph", "banner", "navigation", "Section", "LabelText",
        "Legend", "listitem", "none", "LineBreak", "rowgroup", "group", "emphasis", "definition", "term",
        "deletion", "insertion", "subscript", "superscript", "code", "mark", "time", "blockquote",
        "MenuListPopup",
    ]
    /// Chromium-internal text fragments (their text is already on the parent StaticText) and
    /// list bullets, which the native browser does not print either.
    public static let droppedRoles: Set<String> = ["InlineTextBox", "LineBreak", "ListMarker"]

    /// Only nodes laid out inside this band of rows are shown (children of hidden nodes are kept);
    /// nil shows the whole page.
    public var visibleRows: ClosedRange<Double>?

    public init(visibleRows: ClosedRange<Double>? = nil) { self.visibleRows = visibleRows }

    public struct Rendering: Sendable {
        public var text: String
        /// The shown line of each element id without the `[id] ` prefix, for `describe(action)`.
        public var lines: [Int: String]
    }

    public func render(_ root: PageTreeNode) -> Rendering {
        var out: [String] = []
        var lines: [Int: String] = [:]
        visit(root, depth: 0, isRoot: true, into: &out, lines: &lines)
        return Rendering(text: out.joined(separator: "\n"), lines: lines)
    }

    private func visit(_ node: PageTreeNode, depth: Int, isRoot: Bool, into out: inout [String], lines: inout [Int: String]) {
        if Self.droppedRoles.contains(node.role) { return }
        var shown = isRoot || isVisible(node)
        let properties = node.properties.filter {
            !Self.ignoredProperties.contains($0.name) || ($0.name == "value" && Self.rangeRoles.contains(node.role))
        }
        if shown, node.name.isEmpty {
            if Self.skippedWhenEmpty.contains(node.role) && (properties.isEmpty || node.role == "listitem") {
                shown = false
            }
        }
        if shown, node.role == "StaticText" {
            // WebArena's clean_accesibility_tree: repeated text near by is noise.
            if node.name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
                || out.suffix(3).contains(where: { $0.contains(node.name) }) {
                shown = false
            }
        }
        if shown {
            var line = "\(node.role) \(Self.pythonRepr(node.name))"
            for property in properties { line += " \(property.name): \(property.value.pythonText)" }
            lines[node.id] = line
            out.append(String(repeating: "\t", count: depth) + "[\(node.id)] " + line)
        }
        for child in node.children {
            visit(child, depth: shown ? depth + 1 : depth, isRoot: false, into: &out, lines: &lines)
        }
    }

    private func isVisible(_ node: PageTreeNode) -> Bool {
        guard let rows = visibleRows else { return true }
        guard let bounds = node.bounds, !bounds.isEmpty else { return false }
        return bounds.intersectsRows(from: rows.lowerBound, to: rows.upperBound)
    }

    /// Python's `repr` of a string: single quotes unless the text has a single quote and no double quote.
    public static func pythonRepr(_ text: String) -> String {
        let quote: Character = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        var result = String(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if Character(scalar) == quote { result += "\\" + String(quote) }
                else if scalar.value < 0x20 || scalar.value == 0x7f { result += String(format: "\\x%02x", scalar.value) }
                else { result.unicodeScalars.append(scalar) }
            }
        }
        result.append(quote)
        return result
    }

    /// WebArena's tab header: `Tab 0 (current): title | Tab 1: title`.
    public static func tabHeader(titles: [String], active: Int) -> String {
        titles.enumerated().map { index, title in
            index == active ? "Tab \(index) (current): \(title)" : "Tab \(index): \(title)"
        }.joined(separator: " | ")
    }
}
