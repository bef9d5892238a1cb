import Foundation

/// One attribute of an element, in source order.
public struct HTMLAttribute: Sendable, Hashable, Codable {
    public var name: String
    public var value: String
    public init(name: String, value: String) { self.name = name; self.value = value }
}

/// A child of an element: another element or a run of text.
public enum HTMLNode: Sendable {
    case element(HTMLElement)
    case text(HTMLText)
}

/// A text node. `index` is its position in document order, shared with elements.
public struct HTMLText: Sendable {
    public let index: Int
    public let text: String
}

/// An element of a parsed page. Built once by `HTMLDocument.parse` and never changed afterwards;
/// live state such as typed values lives in `FormState`, so the DOM (and the ids derived from
/// `index`) stays the same while an agent interacts with the page.
public final class HTMLElement: @unchecked Sendable {
    /// Lower-case tag name (`a`, `input`, ...).
    public let tag: String
    let tagTraits: TagTraits
    /// The implicit role when the tag alone decides it (`nav` → navigation), else nil.
    let tagRole: String?
    public let attributes: [HTMLAttribute]
    /// Position in document order among all elements and text nodes; the source of stable ids.
    public let index: Int
    public internal(set) var children: [HTMLNode] = []
    /// The parent element while the document is alive; nil for the root, and for every element
    /// once its `HTMLDocument` is gone (hold the document, not just an element, to walk up).
    ///
    /// Strong, not weak: a weak reference gives every element a side table, which slowed each
    /// retain and release of it by about a tenth of an observation's time. `HTMLDocument.deinit`
    /// breaks the cycles.
    public internal(set) var parent: HTMLElement?
    /// The cascaded `display` and `visibility`: the `style` attribute's, then the page's sheets'
    /// once `StyleCascade` has run (during `HTMLDocument.parse`, before anyone else sees the tree).
    var style: ElementStyle
    /// For a `<table>`: Chromium would judge it a layout table (`DataTableHeuristic`), decided
    /// once during `HTMLDocument.parse`, after the cascade.
    var isLayoutTable = false
    /// Whether any `aria-*` attribute is present: most elements have none, and the tree builder
    /// asks each element for a dozen of them.
    let hasARIAAttributes: Bool

    /// `facts` come from the parser's per-tag cache; other callers leave them out.
    init(tag: String, attributes: [HTMLAttribute], index: Int, facts: TagFacts? = nil) {
        let facts = facts ?? TagFacts(tag: tag)
        self.tag = tag
        self.tagTraits = facts.traits
        self.tagRole = facts.role
        self.attributes = attributes
        self.index = index
        var style = ElementStyle.none
        var aria = false
        for attribute in attributes {
            if attribute.name == "style", !attribute.value.isEmpty { style = ElementStyle(parsing: attribute.value) }
            if !aria, attribute.name.utf8.starts(with: "aria-".utf8) { aria = true }
        }
        self.style = style
        self.hasARIAAttributes = aria
    }

    /// The value of an attribute (names are lower-case), or nil when absent.
    public func attribute(_ name: String) -> String? {
        for attribute in attributes where attribute.name == name { return attribute.value }
        return nil
    }

    public func hasAttribute(_ name: String) -> Bool { attribute(name) != nil }

    /// `attribute(name)` for an `aria-*` name, answered at once for elements without any.
    func ariaAttribute(_ name: String) -> String? { hasARIAAttributes ? attribute(name) : nil }

    public var id: String? { attribute("id") }

    /// Child elements, skipping text.
    public var elementChildren: [HTMLElement] {
        children.compactMap { if case .element(let e) = $0 { e } else { nil } }
    }

    /// The concatenated text of all descendant text nodes, as `textContent` in the DOM.
    public var textContent: String {
        var out = ""
        appendText(to: &out)
        return out
    }

    /// A walk with its own stack, not recursion: a page may nest elements hundreds deep.
    private func appendText(to out: inout String) {
        var pending: [HTMLNode] = children.reversed()
        while let node = pending.popLast() {
            switch node {
            case .text(let t): out += t.text
            case .element(let e):
                // Leaves (most elements) add nothing to the stack.
                if e.children.count == 1, case .text(let t) = e.children[0] { out += t.text }
                else { pending.append(contentsOf: e.children.reversed()) }
            }
        }
    }

    /// Frees the subtree with a loop: the default release of `children` recurses once per level.
    deinit {
        guard !children.isEmpty else { return }
        var pending: [HTMLElement] = elementChildren
        children = []
        while !pending.isEmpty {
            let last = pending.count - 1
            // Only a subtree nothing else holds is taken apart here; one still in use frees the
            // same way when its last holder lets go.
            guard isKnownUniquelyReferenced(&pending[last]), !pending[last].children.isEmpty else {
                pending.removeLast()
                continue
            }
            let grandchildren = pending[last].children
            pending[last].children = []
            pending.removeLast()
            for child in grandchildren { if case .element(let e) = child { pending.append(e) } }
        }
    }

    /// The nearest ancestor (not self) satisfying `predicate`.
    public func ancestor(where predicate: (HTMLElement) -> Bool) -> HTMLElement? {
        var node = parent
        while let n = node {
            if predicate(n) { return n }
            node = n.parent
        }
        return nil
    }

    /// Self and all descendant elements in document order.
    public func descendants(includingSelf: Bool = true) -> [HTMLElement] {
        var out: [HTMLElement] = []
        var stack: [HTMLElement] = [self]
        while let e = stack.popLast() {
            if e !== self || includingSelf { out.append(e) }
            // Straight from `children`: this runs over whole documents, per tree build.
            for child in e.children.reversed() {
                if case .element(let c) = child { stack.append(c) }
            }
        }
        return out
    }

    /// Whether `other` is self or one of its descendants.
    public func contains(_ other: HTMLElement) -> Bool {
        var node: HTMLElement? = other
        while let n = node {
            if n === self { return true }
            node = n.parent
        }
        return false
    }

    /// The element's start tag as HTML source, for JSON dumps and error messages.
    public var startTag: String {
        var s = "<" + tag
        for a in attributes { s += " \(a.name)=\"\(a.value.replacingOccurrences(of: "\"", with: "&quot;"))\"" }
        return s + ">"
    }
}
