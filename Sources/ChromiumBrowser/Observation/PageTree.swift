import Foundation
import WebBrowser
import NNetnavSupport

/// A rectangle in page (document) coordinates, CSS pixels.
public struct PageRect: Sendable, Hashable {
    public var x, y, width, height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
    public var isEmpty: Bool { width <= 0 || height <= 0 }
    public func intersectsRows(from top: Double, to bottom: Double) -> Bool { y < bottom && y + height > top }
}

/// One node of a page's accessibility tree as Chromium computed it, merged across frames, with the
/// persistent element id the agent refers to (`[id]`) and where the node is laid out.
public struct PageTreeNode: Sendable, Hashable {
    public struct Property: Sendable, Hashable {
        public var name: String
        public var value: JSONValue
        public init(name: String, value: JSONValue) { self.name = name; self.value = value }
    }

    public var id: Int
    public var role: String
    public var name: String
    public var properties: [Property]
    public var children: [PageTreeNode]
    /// Chromium's node handle, used to act on the element; nil for nodes without a DOM node.
    public var backendNodeID: Int?
    /// Layout box; nil when the node is not rendered (display: none ancestors, empty text).
    public var bounds: PageRect?

    public init(id: Int, role: String, name: String, properties: [Property] = [], children: [PageTreeNode] = [],
                backendNodeID: Int? = nil, bounds: PageRect? = nil) {
        self.id = id; self.role = role; self.name = name; self.properties = properties
        self.children = children; self.backendNodeID = backendNodeID; self.bounds = bounds
    }

    public func property(_ name: String) -> JSONValue? { properties.first { $0.name == name }?.value }

    /// Pre-order traversal.
    public func forEach(_ body: (PageTreeNode) -> Void) {
        var stack = [self]
        while let node = stack.popLast() {
            body(node)
            stack.append(contentsOf: node.children.reversed())
        }
    }
}

/// A page's scroll position and window, for viewport filtering and `viewportIndex`.
public struct PageViewport: Sendable, Hashable {
    public var scrollY: Double
    public var width: Double
    public var height: Double
    public var contentHeight: Double

    public init(scrollY: Double, width: Double, height: Double, contentHeight: Double) {
        self.scrollY = scrollY; self.width = width; self.height = height; self.contentHeight = contentHeight
    }

    public var index: Int { height > 0 ? Int((scrollY / height).rounded()) : 0 }
    public var count: Int { height > 0 ? max(1, Int((contentHeight / height).rounded(.up))) : 1 }
}

extension PageTreeNode: ObservationTreeNode {
    /// CDP values printed the way WebArena prints them (Python's `str` of the JSON value).
    public var printableProperties: [AccessibilityProperty] {
        properties.map { AccessibilityProperty($0.name, $0.value.pythonText) }
    }
}
