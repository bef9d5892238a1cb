import Foundation
import NNetnavSupport
import WebBrowser

/// One observation of a tab: the accessibility tree of every frame, merged, with element ids
/// and layout boxes, plus the page's title, URL and scroll window.
public struct PageSnapshot: Sendable {
    public var root: PageTreeNode
    public var title: String
    public var url: String
    public var viewport: PageViewport
    /// Element id -> Chromium backend node id, for acting on what was observed.
    public var backendNodes: [Int: Int]
}

/// Builds `PageSnapshot`s with a fixed number of DevTools round trips per observation: one marking
/// script, one `DOMSnapshot.captureSnapshot` (ids and boxes for every node of every frame), and
/// one `Accessibility.getFullAXTree` per frame (WebArena's per-node bounding-box calls are avoided).
struct PageSnapshotter {
    var marker = ElementMarker()
    /// Mark elements that only a script makes clickable (`ScriptClickable`; `ChromiumBrowser.makeEnvironment`).
    var marksScriptClickables = false

    mutating func snapshot(_ tab: ChromiumTab, timeout: Double) async throws -> PageSnapshot {
        let stateValue = try await tab.evaluate(marker.script(), timeout: timeout)
        let state = try JSONDecoder().decode(ElementMarker.PageState.self, from: JSONEncoder().encode(stateValue))
        marker.update(with: state)

        let dom: DOMSnapshotDTO = try await tab.send("DOMSnapshot.captureSnapshot", [
            "computedStyles": [], "includeDOMRects": false,
        ], timeout: timeout)
        let layout = LayoutIndex(dom)

        var frames: [String: [AXNodeDTO]] = [:]
        let mainTree: AXTreeDTO = try await tab.send("Accessibility.getFullAXTree", [:], timeout: timeout)
        guard let mainRoot = mainTree.nodes.first else { throw ChromiumError.unusable("empty accessibility tree") }
        let mainFrame = mainRoot.frameId ?? ""
        frames[mainFrame] = mainTree.nodes
        for frameID in layout.frameIDs where frameID != mainFrame {
            // Cross-process frames have no tree in this session: they are left out, not fatal.
            if let tree: AXTreeDTO = try? await tab.send("Accessibility.getFullAXTree", ["frameId": .string(frameID)],
                                                         timeout: timeout) {
                frames[frameID] = tree.nodes
            }
        }

        var builder = TreeBuilder(frames: frames, layout: layout, marker: marker,
                                  marksScriptClickables: marksScriptClickables)
        guard let root = builder.buildFrame(mainFrame).first else {
            throw ChromiumError.unusable("accessibility tree has no root")
        }
        marker = builder.marker
        let viewport = PageViewport(scrollY: state.scrollY, width: state.width, height: state.height,
                                    contentHeight: state.contentHeight)
        return PageSnapshot(root: root, title: state.title, url: state.url, viewport: viewport,
                            backendNodes: builder.backendNodes)
    }
}

/// Per backend node: the element id attribute, the layout box in top-document coordinates,
/// and for frame owners the frame they hold.
struct LayoutIndex {
    var markIDs: [Int: Int] = [:]
    var bounds: [Int: PageRect] = [:]
    var frameOfOwner: [Int: String] = [:]
    var frameIDs: [String] = []
    /// `<label>` and `<legend>` elements by backend id, with the role WebArena-era Chromium gave them.
    var legacyRoles: [Int: String] = [:]
    /// Their text content (Chromium marks text naming a wrapped control as ignored, so the AX
    /// tree alone cannot name the label).
    var legacyText: [Int: String] = [:]
    /// Backend ids of the nodes Chromium says respond to mouse clicks: links, form controls, and any
    /// element a script gave a click, mousedown or mouseup listener.
    var clickable: Set<Int> = []

    init(_ dom: DOMSnapshotDTO) {
        let strings = dom.strings
        func string(_ index: Int) -> String? { index >= 0 && index < strings.count ? strings[index] : nil }
        var offsets = [Int: (x: Double, y: Double)]()
        offsets[0] = (0, 0)
        for (docIndex, document) in dom.documents.enumerated() {
            if let frame = string(document.frameId) { frameIDs.append(frame) }
            let offset = offsets[docIndex] ?? (0, 0)
            let backend = document.nodes.backendNodeId ?? []
            let attributes = document.nodes.attributes ?? []
            for i in document.nodes.isClickable?.index ?? [] where i >= 0 && i < backend.count { clickable.insert(backend[i]) }
            for (i, nameIndex) in (document.nodes.nodeName ?? []).enumerated()
            where i < backend.count {
                switch string(nameIndex) {
                case "LABEL": legacyRoles[backend[i]] = "LabelText"
                case "LEGEND": legacyRoles[backend[i]] = "Legend"
                default: break
                }
            }
            if !legacyRoles.isEmpty, let parents = document.nodes.parentIndex, let types = document.nodes.nodeType,
               let values = document.nodes.nodeValue {
                for i in 0..<min(parents.count, types.count, values.count, backend.count) where types[i] == 3 {
                    var ancestor = parents[i]
                    var hops = 0
                    while ancestor >= 0, ancestor < backend.count, hops < 12 {
                        if legacyRoles[backend[ancestor]] != nil {
                            legacyText[backend[ancestor], default: ""] += (string(values[i]) ?? "") + " "
                            break
                        }
                        ancestor = parents[ancestor]
                        hops += 1
                    }
                }
            }
            for (i, pairs) in attributes.enumerated() where i < backend.count {
                var k = 0
                while k + 1 < pairs.count {
                    if string(pairs[k]) == ElementMarker.attribute, let id = string(pairs[k + 1]).flatMap(Int.init) {
                        markIDs[backend[i]] = id
                    }
                    k += 2
                }
            }
            var nodeBounds = [Int: PageRect]()
            for (j, nodeIndex) in document.layout.nodeIndex.enumerated() where j < document.layout.bounds.count {
                let b = document.layout.bounds[j]
                guard b.count == 4, nodeIndex < backend.count else { continue }
                let rect = PageRect(x: b[0] + offset.x, y: b[1] + offset.y, width: b[2], height: b[3])
                nodeBounds[nodeIndex] = rect
                // A text node split over lines has several boxes: keep their union.
                if let previous = bounds[backend[nodeIndex]] {
                    let top = min(previous.y, rect.y), bottom = max(previous.y + previous.height, rect.y + rect.height)
                    let left = min(previous.x, rect.x), right = max(previous.x + previous.width, rect.x + rect.width)
                    bounds[backend[nodeIndex]] = PageRect(x: left, y: top, width: right - left, height: bottom - top)
                } else {
                    bounds[backend[nodeIndex]] = rect
                }
            }
            if let owners = document.nodes.contentDocumentIndex {
                for (owner, child) in zip(owners.index, owners.value) where owner < backend.count && child < dom.documents.count {
                    if let frame = string(dom.documents[child].frameId) { frameOfOwner[backend[owner]] = frame }
                    let box = nodeBounds[owner]
                    offsets[child] = (box?.x ?? offset.x, box?.y ?? offset.y)
                }
            }
        }
    }
}

/// Turns per-frame AX node lists into one tree: ignored nodes are replaced by their children,
/// and each iframe node gets its frame's document as its child.
struct TreeBuilder {
    let frames: [String: [AXNodeDTO]]
    let layout: LayoutIndex
    var marker: ElementMarker
    let marksScriptClickables: Bool
    var backendNodes: [Int: Int] = [:]
    private var byID: [String: [String: AXNodeDTO]] = [:]
    private var visitedFrames: Set<String> = []

    init(frames: [String: [AXNodeDTO]], layout: LayoutIndex, marker: ElementMarker, marksScriptClickables: Bool = false) {
        self.frames = frames
        self.layout = layout
        self.marker = marker
        self.marksScriptClickables = marksScriptClickables
        for (frame, nodes) in frames {
            byID[frame] = Dictionary(nodes.map { ($0.nodeId, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    mutating func buildFrame(_ frame: String) -> [PageTreeNode] {
        guard !visitedFrames.contains(frame), let root = frames[frame]?.first else { return [] }
        visitedFrames.insert(frame)
        return build(root.nodeId, in: frame, depth: 0)
    }

    private mutating func build(_ nodeID: String, in frame: String, depth: Int) -> [PageTreeNode] {
        // Chromium's parser nests at most 512 elements (the native parser does the same), so its
        // tree is never much deeper: the guard only stops a malformed reply, and drops nothing real.
        guard depth < 600, let node = byID[frame]?[nodeID] else { return [] }
        var children: [PageTreeNode] = []
        for child in node.childIds ?? [] { children += build(child, in: frame, depth: depth + 1) }
        if let backend = node.backendDOMNodeId, let childFrame = layout.frameOfOwner[backend] {
            children += buildFrame(childFrame)
        }
        var role = node.role?.value?.string ?? ""
        if let backend = node.backendDOMNodeId, let legacy = layout.legacyRoles[backend],
           node.ignored || role == "generic" || role == "none" {
            // Current Chromium hides a <label> wrapping its control and a <legend> (or shows them
            // as generic); WebArena-era Chromium and the native browser show LabelText / Legend.
            if children.isEmpty { return [] }
            return [legacyNode(role: legacy, backend: backend, children: children)]
        }
        let scriptClickable = marksScriptClickables && node.backendDOMNodeId.map { layout.clickable.contains($0) } == true
            && !ScriptClickable.nativelyInteractive.contains(role)
        if node.ignored && !scriptClickable { return children }
        if scriptClickable && (node.ignored || role == "none" || role.isEmpty) { role = "generic" }
        // Current Chromium says `image`; WebArena-era Chromium and the native browser say `img`.
        if role == "image" { role = "img" }
        let id = node.backendDOMNodeId.flatMap { layout.markIDs[$0] } ?? marker.textID(backendNodeID: node.backendDOMNodeId)
        if let backend = node.backendDOMNodeId { backendNodes[id] = backend }
        var properties = (node.properties ?? []).compactMap { p in
            p.value.value.map { PageTreeNode.Property(name: p.name, value: $0) }
        }
        if let value = node.value?.value, value != .string(""), !["StaticText", "RootWebArea"].contains(role),
           !properties.contains(where: { $0.name == "value" }) {
            properties.insert(PageTreeNode.Property(name: "value", value: value), at: 0)
        }
        var name = (node.name?.value?.string ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty, role == "row" || role == "LabelText" || role == "Legend" {
            // Rows are named from their content (ARIA) and labels by their text (WebArena-era
            // Chromium, the native browser); current Chromium leaves both names empty.
            name = Self.text(of: children)
        }
        if scriptClickable {
            if name.isEmpty { name = ScriptClickable.name(fromText: Self.ownText(of: children)) }
            // An unnamed element over other elements is a container whose listener serves what is inside
            // it (MiniWoB++'s whole task area): only its contents are marked. A board cell has no contents.
            if !name.isEmpty || children.allSatisfy({ $0.role == "StaticText" }) {
                properties.append(PageTreeNode.Property(name: ScriptClickable.property, value: .bool(true)))
            }
        }
        return [PageTreeNode(id: id, role: role, name: name, properties: properties, children: children,
                             backendNodeID: node.backendDOMNodeId,
                             bounds: node.backendDOMNodeId.flatMap { layout.bounds[$0] })]
    }
}

extension TreeBuilder {
    mutating func legacyNode(role: String, backend: Int, children: [PageTreeNode]) -> PageTreeNode {
        let id = layout.markIDs[backend] ?? marker.textID(backendNodeID: backend)
        backendNodes[id] = backend
        let own = (layout.legacyText[backend] ?? "").split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return PageTreeNode(id: id, role: role, name: own.isEmpty ? Self.text(of: children) : own, children: children,
                            backendNodeID: backend, bounds: layout.bounds[backend])
    }

    /// The text of nodes that is their own: not under a marked clickable (it has its own name) nor under a
    /// list or group (a tree folder's sub-folders are not the folder's name).
    static func ownText(of nodes: [PageTreeNode]) -> String {
        var parts: [String] = []
        var stack = Array(nodes.reversed())
        while let node = stack.popLast() {
            if node.role == "StaticText" {
                if !node.name.isEmpty { parts.append(node.name) }
            } else if node.property(ScriptClickable.property) == nil, !["list", "listitem", "group", "tree", "treeitem"].contains(node.role) {
                stack.append(contentsOf: node.children.reversed())
            }
        }
        return parts.joined(separator: " ")
    }

    /// The visible text under nodes, space-separated.
    static func text(of nodes: [PageTreeNode]) -> String {
        var parts: [String] = []
        for node in nodes {
            node.forEach { if $0.role == "StaticText", !$0.name.isEmpty { parts.append($0.name) } }
        }
        return parts.joined(separator: " ")
    }
}

// MARK: DevTools payloads

struct AXTreeDTO: Decodable { let nodes: [AXNodeDTO] }

struct AXNodeDTO: Decodable {
    struct Value: Decodable { let value: JSONValue? }
    struct Property: Decodable { let name: String; let value: Value }
    let nodeId: String
    let ignored: Bool
    let role: Value?
    let name: Value?
    let value: Value?
    let properties: [Property]?
    let childIds: [String]?
    let backendDOMNodeId: Int?
    let frameId: String?
}

struct DOMSnapshotDTO: Decodable {
    struct Document: Decodable {
        struct Nodes: Decodable {
            struct Rare: Decodable { let index: [Int]; let value: [Int] }
            let backendNodeId: [Int]?
            let parentIndex: [Int]?
            let nodeType: [Int]?
            let nodeName: [Int]?
            let nodeValue: [Int]?
            let attributes: [[Int]]?
            let contentDocumentIndex: Rare?
            /// Rare boolean data: the indices of the nodes for which it is true.
            struct RareBoolean: Decodable { let index: [Int] }
            let isClickable: RareBoolean?
        }
        struct Layout: Decodable { let nodeIndex: [Int]; let bounds: [[Double]] }
        let frameId: Int
        let nodes: Nodes
        let layout: Layout
    }
    let documents: [Document]
    let strings: [String]
}
