import Foundation

/// A state or value of an accessibility node, printed as `name: value` in observations.
/// Booleans are spelt `True`/`False` and tristates `true`/`false`/`mixed`, as WebArena prints CDP values.
public struct AccessibilityProperty: Sendable, Hashable, Codable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) { self.name = name; self.value = value }
}

/// One node of the accessibility tree.
public final class AccessibilityNode: @unchecked Sendable {
    /// The `[id]` printed in observations: stable for a given page (derived from document order).
    public let id: Int
    /// ARIA role (`link`, `textbox`...), or Chromium's `RootWebArea`, `StaticText`, `LabelText`.
    public let role: String
    /// Accessible name (AccName 1.2); for `StaticText`, the text.
    public let name: String
    public let properties: [AccessibilityProperty]
    public private(set) var children: [AccessibilityNode]
    /// The element the node stands for (nil for text).
    public let element: HTMLElement?

    init(id: Int, role: String, name: String, properties: [AccessibilityProperty], children: [AccessibilityNode],
         element: HTMLElement?) {
        self.id = id
        self.role = role
        self.name = name
        self.properties = properties
        self.children = children
        self.element = element
    }

    /// Frees the subtree with a loop: the default release of `children` recurses once per level.
    deinit {
        guard !children.isEmpty else { return }
        var pending = children
        children = []
        while !pending.isEmpty {
            let last = pending.count - 1
            guard isKnownUniquelyReferenced(&pending[last]), !pending[last].children.isEmpty else {
                pending.removeLast()
                continue
            }
            let grandchildren = pending[last].children
            pending[last].children = []
            pending.removeLast()
            pending.append(contentsOf: grandchildren)
        }
    }

    /// A property's value by name (`checked`, `selected`, `disabled`...).
    public func property(_ name: String) -> String? {
        properties.first { $0.name == name }?.value
    }

    /// The current value of a text field, combobox or slider, if the node has one.
    public var value: String? { property("value") }
}
