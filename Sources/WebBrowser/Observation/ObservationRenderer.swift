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

        public init(id: Int, depth: Int, text: String) {
            self.id = id
            self.depth = depth
            self.text = text
        }
    }

    /// Printed lines in document order; the first is the root.
    public let lines: [Line]
    private let lineByID: [Int: Int]

    public init(lines: [Line]) {
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
    public func windowCount(size: Int) -> Int { windows(size: size, budget: nil).count }

    /// The root line and the `index`-th window of `size` lines of the rest, as text (the whole page when `size` ≤ 0).
    public func text(window index: Int, size: Int) -> String {
        let all = windows(size: size, budget: nil)
        return text(lines: all.indices.contains(index) ? all[index] : lines.count..<lines.count)
    }
}

/// What the text renderer reads from a node of an accessibility tree, whichever backend built it:
/// the native browser's `AccessibilityNode` or Chromium's merged `Accessibility.getFullAXTree`.
/// One renderer for both is what makes the two backends print the same page the same way.
public protocol ObservationTreeNode {
    var id: Int { get }
    var role: String { get }
    var name: String { get }
    /// States and values, with values spelt as they are printed (`True`, `false`, `42`).
    var printableProperties: [AccessibilityProperty] { get }
    var children: [Self] { get }
}

extension AccessibilityNode: ObservationTreeNode {
    public var printableProperties: [AccessibilityProperty] { properties }
}

public enum ObservationRenderer {
    /// `browser_env/constants.py` IGNORED_ACTREE_PROPERTIES, plus `url` and `value`: a field's
    /// value shows as its StaticText child, and WebArena does not print a link's URL either.
    public static let ignoredProperties: Set<String> = [
        "focusable", "editable", "readonly", "level", "settable", "multiline", "invalid", "url", "value",
    ]
    /// Roles skipped when nameless and without printed properties (WebArena's list, plus our
    /// spellings of the same Chromium nodes: `none`, `MenuListPopup`).
    public static let skippedWhenEmpty: Set<String> = [
        "generic", "img", "list", "strong", "paragraph", "banner", "navigation", "Section", "LabelText",
        "Legend", "listitem", "none", "rowgroup", "group", "emphasis", "definition", "term",
        "deletion", "insertion", "subscript", "superscript", "code", "mark", "time", "blockquote",
        "MenuListPopup",
    ]
    /// Dropped with their subtree: Chromium's text fragments (their text is already on the parent
    /// StaticText), line breaks and list bullets.
    public static let droppedRoles: Set<String> = ["InlineTextBox", "LineBreak", "ListMarker"]
    /// Range widgets have no text child, so their value stays.
    public static let rangeRoles: Set<String> = ["slider", "progressbar", "meter", "scrollbar"]

    public static func render(_ tree: AccessibilityTree) -> RenderedTree {
        render(root: tree.root, expectedLines: tree.nodes.count)
    }

    /// Renders any backend's tree. `isShown` hides a node's own line (its children are still
    /// visited, one level up): Chromium uses it to show only what is laid out in the viewport.
    /// The root is always shown.
    public static func render<Node: ObservationTreeNode>(root: Node, expectedLines: Int = 0,
                                                         isShown: (Node) -> Bool = { _ in true }) -> RenderedTree {
        var lines: [RenderedTree.Line] = []
        lines.reserveCapacity(expectedLines)
        // Pre-order with an explicit stack (children pushed last-first): trees may be hundreds deep.
        var stack: [(node: Node, depth: Int)] = [(root, 0)]
        var isRoot = true
        while let (node, depth) = stack.popLast() {
            let outcome = line(for: node, depth: depth, isRoot: isRoot, isShown: isShown, after: lines)
            isRoot = false
            var childDepth = depth
            switch outcome {
            case .dropped: continue
            case .skipped: break
            case .printed(let line):
                lines.append(line)
                childDepth += 1
            }
            let children = node.children
            for child in children.reversed() { stack.append((child, childDepth)) }
        }
        return RenderedTree(lines: lines)
    }

    /// What becomes of one node in the text.
    private enum LineOutcome {
        /// Left out with its subtree.
        case dropped
        /// No line of its own; its children print one level up.
        case skipped
        case printed(RenderedTree.Line)
    }

    private static func line<Node: ObservationTreeNode>(for node: Node, depth: Int, isRoot: Bool,
                                                         isShown: (Node) -> Bool,
                                                         after lines: [RenderedTree.Line]) -> LineOutcome {
        let role = node.role
        if droppedRoles.contains(role) { return .dropped }
        var show = isRoot || isShown(node)
        var printed: [AccessibilityProperty] = []
        if show {
            for property in node.printableProperties
            where !ignoredProperties.contains(property.name) || (property.name == "value" && rangeRoles.contains(role)) {
                printed.append(property)
            }
            let name = node.name
            if name.isEmpty && (printed.isEmpty || role == "listitem") && skippedWhenEmpty.contains(role) {
                show = false
            } else if role == "StaticText" {
                // WebArena's clean_accesibility_tree: drop text already visible in the last three lines.
                if isBlank(name) || lines.suffix(3).contains(where: { contains($0.text, name) }) { show = false }
            }
        }
        guard show else { return .skipped }
        var text = "[\(node.id)] " + role + " " + pythonRepr(node.name)
        for property in printed { text += " " + property.name + ": " + property.value }
        return .printed(RenderedTree.Line(id: node.id, depth: depth, text: text))
    }

    private static func isBlank(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D || $0 == 0x0C }
    }

    /// Byte-wise substring test: the dedup check runs for every text node against three lines.
    static func contains(_ haystack: String, _ needle: String) -> Bool {
        var haystack = haystack, needle = needle
        return haystack.withUTF8 { h in
            needle.withUTF8 { n in
                guard let first = n.first else { return true }
                guard n.count <= h.count else { return false }
                var i = 0
                while i <= h.count - n.count {
                    if h[i] == first {
                        var j = 1
                        while j < n.count && h[i + j] == n[j] { j += 1 }
                        if j == n.count { return true }
                    }
                    i += 1
                }
                return false
            }
        }
    }

    /// The tab header WebArena puts above the tree: `Tab 0 (current): Title | Tab 1: Title`.
    public static func tabHeader(titles: [String], active: Int) -> String {
        titles.enumerated().map { i, title in
            i == active ? "Tab \(i) (current): \(title)" : "Tab \(i): \(title)"
        }.joined(separator: " | ")
    }

    /// Python's `repr` of a string, which is how WebArena quotes names.
    public static func pythonRepr(_ s: String) -> String {
        // Most names have no quote, backslash or control character: quote them as they are.
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F && $0 != UInt8(ascii: "'") && $0 != UInt8(ascii: "\\") }) {
            return "'" + s + "'"
        }
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
