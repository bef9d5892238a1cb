import Foundation

/// The accessibility tree printed as WebArena's text observation
/// (`browser_env/processors.py`): `"\t"*depth + "[id] role 'name' prop: value ..."`.
///
/// Pruning follows WebArena: properties it ignores are not printed, nameless structural nodes
/// are skipped (their children are not indented further), and a `StaticText` whose text already
/// appears in one of the previous three printed lines is dropped.
public struct RenderedTree: Sendable {
    public struct Line: Sendable, Hashable {
        public let id: Int
        public let depth: Int
        /// The line without indentation, e.g. `[12] link 'Sign in'`.
        public let text: String
    }

    /// Printed lines in document order; the first is the root.
    public let lines: [Line]
    private let lineByID: [Int: Int]

    init(lines: [Line]) {
        self.lines = lines
        var map: [Int: Int] = [:]
        for (i, line) in lines.enumerated() { map[line.id] = i }
        self.lineByID = map
    }

    /// What the node is, as WebArena's `action2str` prints it: the line minus its `[id]`.
    public func description(of id: Int) -> String? {
        guard let i = lineByID[id] else { return nil }
        let text = lines[i].text
        guard let space = text.firstIndex(of: " ") else { return text }
        return String(text[text.index(after: space)...])
    }

    public func contains(id: Int) -> Bool { lineByID[id] != nil }

    /// Number of scroll positions when `size` lines (below the root line) fit in the viewport.
    public func windowCount(size: Int) -> Int {
        let body = max(lines.count - 1, 0)
        guard size > 0, body > 0 else { return 1 }
        return (body + size - 1) / size
    }

    /// The root line and the `index`-th window of the rest, as text.
    public func text(window index: Int, size: Int) -> String {
        guard let first = lines.first else { return "" }
        var selected = [first]
        if size <= 0 {
            selected += lines.dropFirst()
        } else {
            let start = 1 + index * size
            if start < lines.count { selected += lines[start..<min(lines.count, start + size)] }
        }
        var out = ""
        for (i, line) in selected.enumerated() {
            if i > 0 { out += "\n" }
            out += String(repeating: "\t", count: line.depth) + line.text
        }
        return out
    }
}

public enum ObservationRenderer {
    /// `browser_env/constants.py` IGNORED_ACTREE_PROPERTIES, plus our programmatic-only ones.
    static let ignoredProperties: Set<String> = [
        "focusable", "editable", "readonly", "level", "settable", "multiline", "invalid", "url", "value",
    ]
    /// Roles skipped when nameless and without printed properties (WebArena's list, plus our
    /// spellings of the same Chromium nodes: `none`, `LineBreak`).
    static let skippedWhenEmpty: Set<String> = [
        "generic", "img", "list", "strong", "paragraph", "banner", "navigation", "Section", "LabelText",
        "Legend", "listitem", "none", "LineBreak", "rowgroup", "group", "emphasis", "definition", "term",
        "deletion", "insertion", "subscript", "superscript", "code", "mark", "time", "blockquote",
    ]
    static let rangeRoles: Set<String> = ["slider", "progressbar", "meter", "scrollbar"]

    public static func render(_ tree: AccessibilityTree) -> RenderedTree {
        var lines: [RenderedTree.Line] = []
        lines.reserveCapacity(tree.nodes.count)
        visit(tree.root, depth: 0, into: &lines)
        return RenderedTree(lines: lines)
    }

    private static func visit(_ node: AccessibilityNode, depth: Int, into lines: inout [RenderedTree.Line]) {
        var printed: [AccessibilityProperty] = []
        for property in node.properties where !ignoredProperties.contains(property.name) {
            printed.append(property)
        }
        if rangeRoles.contains(node.role), let value = node.value { printed.append(.init("value", value)) }

        var show = true
        if node.name.isEmpty && (printed.isEmpty || node.role == "listitem") && skippedWhenEmpty.contains(node.role) {
            show = false
        }
        if node.role == "StaticText" {
            // WebArena's clean_accesibility_tree: drop text already visible in the last three lines.
            let recent = lines.suffix(3)
            if recent.contains(where: { $0.text.contains(node.name) }) { show = false }
        }
        if show {
            var text = "[\(node.id)] \(node.role) \(pythonRepr(node.name))"
            for property in printed { text += " \(property.name): \(property.value)" }
            lines.append(.init(id: node.id, depth: depth, text: text))
        }
        let childDepth = show ? depth + 1 : depth
        for child in node.children { visit(child, depth: childDepth, into: &lines) }
    }

    /// The tab header WebArena puts above the tree: `Tab 0 (current): Title | Tab 1: Title`.
    public static func tabHeader(titles: [String], active: Int) -> String {
        titles.enumerated().map { i, title in
            i == active ? "Tab \(i) (current): \(title)" : "Tab \(i): \(title)"
        }.joined(separator: " | ")
    }

    /// Python's `repr` of a string, which is how WebArena quotes names.
    public static func pythonRepr(_ s: String) -> String {
        let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(scalar) == quote { out += "\\" + String(quote) }
                else if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\x%02x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append(quote)
        return out
    }
}
