import Foundation

/// Renders a page tree in WebArena's text format (`browser_env/processors.py`):
/// tab-indented `[id] role 'name' prop: value` lines, uninformative nodes skipped, and a
/// StaticText line dropped when its text already appears in one of the three lines above.
public struct TreeTextRenderer: Sendable {
    /// Properties WebArena drops (`IGNORED_ACTREE_PROPERTIES`), plus the root's `url`, which
    /// the observation carries separately.
    public static let ignoredProperties: Set<String> = [
        "focusable", "editable", "readonly", "level", "settable", "multiline", "invalid", "url",
    ]
    /// Roles whose nodes are skipped when they have no name and no properties.
    public static let skippedWhenEmpty: Set<String> = [
        "generic", "img", "list", "strong", "paragraph", "banner", "navigation", "Section", "LabelText",
        "Legend", "listitem", "none",
    ]
    /// Chromium-internal text fragments: their text is already on the parent StaticText.
    public static let droppedRoles: Set<String> = ["InlineTextBox", "LineBreak"]

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
        let properties = node.properties.filter { !Self.ignoredProperties.contains($0.name) }
        if shown, node.name.isEmpty {
            if node.role == "listitem" || (properties.isEmpty && Self.skippedWhenEmpty.contains(node.role)) {
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
