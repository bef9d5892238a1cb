import Foundation
import WebBrowser

/// A description of an action's target that survives a page reload, stored next to the element id.
///
/// Element ids are positions in one rendering of one page; they drift when the page changes (a new post,
/// a different cart), so a demonstration stored by id alone does not replay (Go-Browse users replayed 0
/// of 11 released trajectories). The locator holds the accessible role and name, the chain of named
/// ancestors in the accessibility tree, the position among equal (role, name, ancestry) matches, and an
/// HTML selector when the backend exposes the DOM.
public struct StepLocator: Sendable, Hashable, Codable {
    public var role: String
    public var name: String
    /// Ancestors from the root down, as "role 'name'" (unnamed generic containers skipped).
    public var ancestry: [String]
    /// 0-based position among the page's elements with the same role, name and ancestry.
    public var occurrence: Int
    /// A CSS selector of the element (`tag#id`, or a `tag:nth-of-type(n)` path), when known.
    public var selector: String?

    public init(role: String, name: String, ancestry: [String], occurrence: Int, selector: String? = nil) {
        self.role = role
        self.name = name
        self.ancestry = ancestry
        self.occurrence = occurrence
        self.selector = selector
    }

    /// The element id an action targets, if any.
    public static func targetID(of action: BrowserAction) -> Int? {
        switch action {
        case .click(let id), .hover(let id), .type(let id, _, _), .selectOption(let id, _): return id
        default: return nil
        }
    }

    /// The locator of `id` in an observation's text (the tree as the model saw it); nil when the id is not shown.
    public static func make(id: Int, observationText: String, selector: String? = nil) -> StepLocator? {
        let nodes = OutlineNode.parse(observationText)
        guard let index = nodes.firstIndex(where: { $0.id == id }) else { return nil }
        let node = nodes[index]
        let ancestry = OutlineNode.ancestry(of: index, in: nodes)
        let occurrence = nodes[..<index].indices.filter { i in
            nodes[i].role == node.role && nodes[i].name == node.name && OutlineNode.ancestry(of: i, in: nodes) == ancestry
        }.count
        return StepLocator(role: node.role, name: node.name, ancestry: ancestry, occurrence: occurrence, selector: selector)
    }

    /// The id of the element this locator names in another rendering, or nil when it is gone or ambiguous.
    /// Exact (role, name, ancestry) matches first; without one, (role, name) alone when it is unique or
    /// the occurrence still exists.
    public func resolve(in observationText: String) -> Int? {
        let nodes = OutlineNode.parse(observationText)
        let same = nodes.indices.filter { nodes[$0].role == role && nodes[$0].name == name }
        let exact = same.filter { OutlineNode.ancestry(of: $0, in: nodes) == ancestry }
        if exact.indices.contains(occurrence) { return nodes[exact[occurrence]].id }
        if exact.count == 1 { return nodes[exact[0]].id }
        if same.count == 1 { return nodes[same[0]].id }
        if same.indices.contains(occurrence) { return nodes[same[occurrence]].id }
        return nil
    }

    /// `action` with its target id replaced by `id`.
    public static func retarget(_ action: BrowserAction, to id: Int) -> BrowserAction {
        switch action {
        case .click: return .click(id: id)
        case .hover: return .hover(id: id)
        case .type(_, let text, let enter): return .type(id: id, text: text, pressEnter: enter)
        case .selectOption(_, let value): return .selectOption(id: id, value: value)
        default: return action
        }
    }
}

/// One `[id] role 'name'` line of an observation, with its indentation depth.
struct OutlineNode {
    var id: Int
    var role: String
    var name: String
    var depth: Int

    static func parse(_ text: String) -> [OutlineNode] {
        var out: [OutlineNode] = []
        for raw in text.split(whereSeparator: \.isNewline) {
            let depth = raw.prefix(while: { $0 == "\t" }).count
            let elements = CandidateActions.elements(in: String(raw))
            guard let element = elements.first else { continue }
            out.append(OutlineNode(id: element.id, role: element.role, name: element.name, depth: depth))
        }
        return out
    }

    /// Named ancestors of node `index` by indentation, root first; the root (whose name is the page title,
    /// which may change with content) is left out.
    static func ancestry(of index: Int, in nodes: [OutlineNode]) -> [String] {
        var chain: [String] = []
        var depth = nodes[index].depth
        var i = index
        while i > 0 && depth > 0 {
            i -= 1
            if nodes[i].depth < depth {
                depth = nodes[i].depth
                if depth > 0 && !nodes[i].name.isEmpty { chain.append("\(nodes[i].role) '\(nodes[i].name)'") }
            }
        }
        return chain.reversed()
    }
}

/// A backend that can name the HTML element behind an observation id.
public protocol ElementSelecting {
    func selector(forElement id: Int) -> String?
}

extension BrowserSession: ElementSelecting {
    public func selector(forElement id: Int) -> String? {
        guard let element = accessibilityTree.node(id: id)?.element else { return nil }
        return HTMLSelector.path(to: element)
    }
}

/// CSS selectors for elements of the bundled browser's DOM.
public enum HTMLSelector {
    /// `tag#id` when the element (or an ancestor) has an id, then `tag:nth-of-type(n)` steps down to it.
    public static func path(to element: HTMLElement) -> String {
        var steps: [String] = []
        var current: HTMLElement? = element
        while let node = current {
            if let id = node.id, !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) {
                steps.append("\(node.tag)#\(id)")
                break
            }
            if let parent = node.parent {
                let same = parent.elementChildren.filter { $0.tag == node.tag }
                let position = (same.firstIndex { $0 === node } ?? 0) + 1
                steps.append(same.count > 1 ? "\(node.tag):nth-of-type(\(position))" : node.tag)
            } else {
                steps.append(node.tag)
            }
            current = node.parent
        }
        return steps.reversed().joined(separator: " > ")
    }
}
