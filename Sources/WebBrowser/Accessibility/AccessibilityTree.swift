import Foundation

/// The accessibility tree of a page: what `Accessibility.getFullAXTree` gives in Chromium,
/// computed from the DOM with HTML-AAM roles, AccName 1.2 names, states and values.
public struct AccessibilityTree: Sendable {
    public let root: AccessibilityNode
    public let document: HTMLDocument
    /// Every node, in document order.
    public let nodes: [AccessibilityNode]
    /// Node by id; ids are below twice the document's node count (elements, text, field values).
    private let byID: [AccessibilityNode?]
    /// Parent id by id (0 for the root): nodes hold no parent pointers, which would cost a weak
    /// reference per node on every build.
    private let parentIDs: [Int]

    init(root: AccessibilityNode, document: HTMLDocument) {
        self.root = root
        self.document = document
        var nodes: [AccessibilityNode] = []
        let capacity = 2 * document.nodeCount + 2
        var table = [AccessibilityNode?](repeating: nil, count: capacity)
        var parents = [Int](repeating: 0, count: capacity)
        var stack: [(node: AccessibilityNode, parent: Int)] = [(root, 0)]
        while let (node, parent) = stack.popLast() {
            nodes.append(node)
            if node.id >= table.count {
                table += [AccessibilityNode?](repeating: nil, count: node.id + 1 - table.count)
                parents += [Int](repeating: 0, count: node.id + 1 - parents.count)
            }
            table[node.id] = node
            parents[node.id] = parent
            for child in node.children.reversed() { stack.append((child, node.id)) }
        }
        self.nodes = nodes
        self.byID = table
        self.parentIDs = parents
    }

    /// The node's parent in this tree (nil for the root).
    public func parent(of node: AccessibilityNode) -> AccessibilityNode? {
        guard parentIDs.indices.contains(node.id), parentIDs[node.id] != 0 else { return nil }
        return self.node(id: parentIDs[node.id])
    }

    /// Builds the tree. `state` carries typed values and toggles; `focusedElement` is the index of
    /// the element with keyboard focus (the root is focused when nil).
    public static func build(from document: HTMLDocument, state: FormState = FormState(),
                             focusedElement: Int? = nil, subframes: SubframePlaceholders = .none) -> AccessibilityTree {
        var builder = AccessibilityTreeBuilder(document: document, state: state, focusedElement: focusedElement,
                                               subframes: subframes)
        return AccessibilityTree(root: builder.buildRoot(), document: document)
    }

    public func node(id: Int) -> AccessibilityNode? { byID.indices.contains(id) ? byID[id] : nil }

    /// The role an element has by HTML-AAM and its `role` attribute, whether or not it is rendered.
    /// With its `document`, an `aria-labelledby` that names no element of it gives no name (a
    /// `region` labelled by a missing id is generic, as in Chromium); without, any counts.
    public static func computedRole(of element: HTMLElement, in document: HTMLDocument? = nil) -> String {
        RoleMapping.role(of: element, hasName: {
            if element.ariaAttribute("aria-label")?.isBlank == false || element.attribute("title")?.isBlank == false { return true }
            if element.tag == "use" { return document.flatMap { SVGUse.symbolTitle(of: element, in: $0) } != nil }
            guard let references = element.ariaAttribute("aria-labelledby") else { return false }
            guard let document else { return true }
            return references.split(whereSeparator: \.isWhitespace).contains { document.element(withID: String($0)) != nil }
        })
    }

    /// The accessible name an element has whether or not it is rendered: what an accessibility API
    /// (WPT's `get_computed_label`) reports for a node the tree leaves out, such as a control
    /// inside a `display: none` label, which that label still names.
    public static func computedName(of element: HTMLElement, in document: HTMLDocument, state: FormState = FormState()) -> String {
        let facts = document.factsCache.facts(of: document)
        // AccName 2A: a hidden element has no name of its own; only its label still names it
        // (Chromium; WPT's comp_label and comp_host_language_label).
        if Visibility.isHidden(element, state: state), facts.labels[element.index] == nil { return "" }
        return AccessibleNameComputer(document: document, state: state, facts: facts).name(of: element, role: facts.role(of: element))
    }

    /// The node standing for an element, if the element is exposed.
    public func node(for element: HTMLElement) -> AccessibilityNode? { node(id: element.index + 1) }

    /// Finds an element the way a person reading the observation would (`NameLookup`).
    public func find(role: String? = nil, name: String) -> AccessibilityNode? {
        findAll(role: role, name: name).first
    }

    /// All matches of `find`, exact matches first.
    public func findAll(role: String? = nil, name: String) -> [AccessibilityNode] {
        NameLookup.matches(in: nodes, role: role, name: name, roleOf: \.role, nameOf: \.name)
    }
}

/// One pass over the DOM producing accessibility nodes.
struct AccessibilityTreeBuilder {
    let document: HTMLDocument
    let state: FormState
    let focusedElement: Int?
    let facts: DocumentFacts
    let names: AccessibleNameComputer
    /// Synthetic ids (value text of fields) start after the document's own node numbers.
    let syntheticBase: Int
    /// Resolves links against the document's base, looked up once, not per link.
    let links: URLResolution.Resolver
    let subframes: SubframePlaceholders

    init(document: HTMLDocument, state: FormState, focusedElement: Int?, subframes: SubframePlaceholders = .none) {
        self.document = document
        self.subframes = subframes
        self.state = state
        self.focusedElement = focusedElement
        self.facts = document.factsCache.facts(of: document)
        self.names = AccessibleNameComputer(document: document, state: state, facts: facts)
        self.syntheticBase = document.nodeCount + 1
        self.links = URLResolution.Resolver(base: document.baseURL)
    }

    mutating func buildRoot() -> AccessibilityNode {
        let root = document.root
        var children: [AccessibilityNode] = []
        for child in root.children { visit(child, visibilityHidden: false, into: &children) }
        var properties: [AccessibilityProperty] = []
        if focusedElement == nil { properties.append(.init("focused", "True")) }
        return AccessibilityNode(id: root.index + 1, role: "RootWebArea", name: document.title,
                                 properties: properties, children: children, element: root)
    }

    /// Appends the nodes standing for `node` to `out`: one node, none (hidden), or the children
    /// of an element that vanishes (presentational or invisible) in its place.
    private func visit(_ node: HTMLNode, visibilityHidden: Bool, into out: inout [AccessibilityNode]) {
        switch node {
        case .text(let text):
            if let node = textNode(text, visibilityHidden: visibilityHidden, whiteSpace: .collapse, transform: .none) {
                out.append(node)
            }
        case .element(let element):
            visit(element, visibilityHidden: visibilityHidden, into: &out)
        }
    }

    private func textNode(_ text: HTMLText, visibilityHidden: Bool, whiteSpace: WhiteSpace,
                          transform: TextTransform, after previous: Character? = nil) -> AccessibilityNode? {
        if visibilityHidden { return nil }
        // The name is trimmed: leading white space still separates it from the word before.
        let before = text.text.first?.isWhitespace == true ? " " : previous
        let name = transform.apply(to: PreformattedText.name(of: text.text, whiteSpace), after: before)
        if name.isEmpty { return nil }
        return AccessibilityNode(id: text.index + 1, role: "StaticText", name: name, properties: [],
                                 children: [], element: nil)
    }

    /// An element being visited: its children are visited one by one, then it becomes a node.
    private struct OpenElement {
        let element: HTMLElement
        let hidden: Bool
        /// How the element's text keeps white space (inherited unless its style or tag says otherwise).
        let whiteSpace: WhiteSpace
        let role: String
        let traits: RoleTraits
        /// DOM children still to visit.
        let pending: [HTMLNode]
        var next = 0
        /// Nodes produced by the children visited so far.
        var children: [AccessibilityNode]
    }

    /// Post-order over the subtree with an explicit stack: pages may nest elements hundreds deep
    /// (up to the parser's cap), and a recursive walk spent stack in proportion.
    private func visit(_ element: HTMLElement, visibilityHidden inherited: Bool, into out: inout [AccessibilityNode]) {
        guard let first = open(element, visibilityHidden: inherited, whiteSpace: .collapse) else { return }
        var stack = [first]
        // The character laid out last in the current line, for `text-transform: capitalize`,
        // which does not start a word in a text that continues one; a block starts a new line.
        var previousCharacter: Character?
        while !stack.isEmpty {
            let top = stack.count - 1
            if stack[top].next < stack[top].pending.count {
                let child = stack[top].pending[stack[top].next]
                stack[top].next += 1
                switch child {
                case .text(let text):
                    if let node = textNode(text, visibilityHidden: stack[top].hidden, whiteSpace: stack[top].whiteSpace,
                                           transform: facts.textTransform(inside: stack[top].element),
                                           after: previousCharacter) {
                        stack[top].children.append(node)
                    }
                    if let last = text.text.last { previousCharacter = last }
                case .element(let e):
                    if e.tag == "br" || Visibility.isBlock(e) { previousCharacter = nil }
                    if let opened = open(e, visibilityHidden: stack[top].hidden, whiteSpace: stack[top].whiteSpace) {
                        stack.append(opened)
                    }
                }
                continue
            }
            if Visibility.isBlock(stack[top].element) { previousCharacter = nil }
            let done = stack.removeLast()
            if stack.isEmpty { close(done, into: &out) } else { close(done, into: &stack[stack.count - 1].children) }
        }
    }

    /// Starts visiting an element, or nil when it hides its whole subtree.
    private func open(_ element: HTMLElement, visibilityHidden inherited: Bool, whiteSpace parentWhiteSpace: WhiteSpace) -> OpenElement? {
        if Visibility.hidesSubtree(element, state: state) { return nil }
        let hidden = element.style.visibilityHidden ?? inherited
        let whiteSpace = element.style.whiteSpace ?? WhiteSpace.tagDefault(element.tag) ?? parentWhiteSpace
        let role = facts.role(of: element)
        let traits = facts.traits(of: element)

        var pending: [HTMLNode] = []
        var children: [AccessibilityNode] = []
        switch element.tag {
        case "select":
            children = FormState.options(of: element).map { optionNode($0, in: element) }
        case "textarea", "input":
            let value = state.value(of: element)
            if traits.contains(.showsValueText), !value.isEmpty, RoleMapping.inputType(element) != "password" {
                children = [AccessibilityNode(id: syntheticBase + element.index, role: "StaticText",
                                              name: value.collapsingWhitespace(), properties: [], children: [],
                                              element: nil)]
            }
        case "iframe":
            // Two numbers per frame past the field values' (`syntheticBase + index`).
            let root = syntheticBase + document.nodeCount + 2 * element.index
            if let frame = subframes.document(for: element, resolve: links.resolve, ids: (root, root + 1)) {
                children = [frame]
            }
        case "details" where !state.isOpen(element):
            // A closed disclosure shows only its summary; loose text inside it is hidden too.
            if let summary = element.elementChildren.first(where: { $0.tag == "summary" }) {
                pending = [.element(summary)]
            }
        default:
            pending = element.children
        }
        if !hidden, let marker = ListMarker.text(for: element, role: role, facts: facts) {
            // Past the frames' numbers (`syntheticBase + nodeCount + 2 * index + 1` at most).
            children.insert(AccessibilityNode(id: syntheticBase + 3 * document.nodeCount + element.index, role: "StaticText",
                                              name: marker, properties: [], children: [], element: nil), at: 0)
        }
        return OpenElement(element: element, hidden: hidden, whiteSpace: whiteSpace, role: role, traits: traits,
                           pending: pending, children: children)
    }

    /// Finishes an element whose children are all visited.
    private func close(_ open: OpenElement, into out: inout [AccessibilityNode]) {
        // Invisible or presentational elements vanish but their visible content stays.
        if open.hidden || open.role == "none" || (open.role == "SvgRoot" && !Self.showsAnything(open.children)) {
            out += open.children
            return
        }
        let element = open.element
        if open.role == "generic", element.hasAttribute("title"), !AccessibleNameComputer.hasAuthorLabel(element),
           properties(of: element, role: open.role, traits: open.traits).isEmpty {
            // Chromium 156 shows a plain container named only by its title as nothing at all
            // (WebArena's tree would print `generic 'tooltip'`): its content stays.
            out += open.children
            return
        }
        let name = open.role == "row" && !Self.isAuthorNamed(element)
            ? Self.visibleText(of: open.children) : names.name(of: element, role: open.role)
        out.append(AccessibilityNode(id: element.index + 1, role: open.role, name: name,
                                     properties: properties(of: element, role: open.role, traits: open.traits),
                                     children: open.children, element: element))
    }

    /// Whether any of the nodes would print a line: a role other than a plain container, or a
    /// name. Chromium leaves an SVG root out when nothing inside it is shown.
    static func showsAnything(_ nodes: [AccessibilityNode]) -> Bool {
        var stack = nodes
        while let node = stack.popLast() {
            if (node.role != "generic" && node.role != "none") || !node.name.isEmpty { return true }
            stack.append(contentsOf: node.children)
        }
        return false
    }

    /// Whether an author attribute names the element (`aria-label`, `aria-labelledby`, `title`).
    private static func isAuthorNamed(_ element: HTMLElement) -> Bool {
        element.ariaAttribute("aria-label")?.isBlank == false || element.ariaAttribute("aria-labelledby") != nil
            || element.attribute("title")?.isBlank == false
    }

    /// A row's name as the Chromium backend shows it: Chromium 156 leaves table rows unnamed and
    /// that backend (`PageSnapshotter`) names each from the text of its descendants, each text
    /// node's name joined by one space, whatever the markup between them.
    static func visibleText(of nodes: [AccessibilityNode]) -> String {
        var parts: [String] = []
        var stack = Array(nodes.reversed())
        while let node = stack.popLast() {
            if node.role == "StaticText", !node.name.isEmpty { parts.append(node.name) }
            stack.append(contentsOf: node.children.reversed())
        }
        return parts.joined(separator: " ")
    }

    private func optionNode(_ option: HTMLElement, in select: HTMLElement) -> AccessibilityNode {
        let selected = state.selectedOptions(of: select).contains { $0 === option }
        var properties = [AccessibilityProperty("selected", selected ? "True" : "False")]
        if option.hasAttribute("disabled") { properties.insert(.init("disabled", "True"), at: 0) }
        let name = option.ariaAttribute("aria-label") != nil || option.ariaAttribute("aria-labelledby") != nil
            ? names.name(of: option, role: "option") : FormState.optionLabel(option)
        return AccessibilityNode(id: option.index + 1, role: "option", name: name,
                                 properties: properties, children: [], element: option)
    }



    private func isDisabled(_ element: HTMLElement) -> Bool {
        if element.ariaAttribute("aria-disabled")?.lowercased() == "true" { return true }
        guard element.tagTraits.contains(.formControl) else { return false }
        if element.hasAttribute("disabled") { return true }
        // A disabled fieldset disables its controls, except those in its first legend.
        var node = element.parent
        var child = element
        while let n = node {
            if n.tag == "fieldset", n.hasAttribute("disabled"),
               n.elementChildren.first(where: { $0.tag == "legend" }) !== child { return true }
            child = n
            node = n.parent
        }
        return false
    }

    private func properties(of element: HTMLElement, role: String, traits: RoleTraits) -> [AccessibilityProperty] {
        var out: [AccessibilityProperty] = []
        func bool(_ b: Bool) -> String { b ? "True" : "False" }
        func aria(_ name: String) -> String? {
            element.ariaAttribute(name)?.trimmingCharacters(in: .whitespaces).lowercased()
        }
        let isNativeControl = element.tagTraits.contains(.nativeControl)

        if focusedElement == element.index { out.append(.init("focused", "True")) }
        if element.tag == "input", element.hasAttribute("list") { out.append(.init("autocomplete", "list")) }
        else if let auto = aria("aria-autocomplete"), auto != "none" { out.append(.init("autocomplete", auto)) }
        if element.tag == "select", role == "combobox" { out.append(.init("hasPopup", "menu")) }
        else if let popup = aria("aria-haspopup"), popup != "false" {
            out.append(.init("hasPopup", popup == "true" ? "menu" : popup))
        }
        if traits.contains(.textEntry) || (isNativeControl && traits.contains(.checkable)) {
            let required = element.hasAttribute("required") || aria("aria-required") == "true"
            if isNativeControl || aria("aria-required") != nil { out.append(.init("required", bool(required))) }
        }
        if traits.contains(.checkable) {
            if element.tag == "input" {
                let mixed = aria("aria-checked") == "mixed"
                out.append(.init("checked", mixed ? "mixed" : (state.isChecked(element) ? "true" : "false")))
            } else {
                let value = aria("aria-checked") ?? "false"
                out.append(.init("checked", ["true", "mixed"].contains(value) ? value : "false"))
            }
        }
        if element.tag == "select", role == "combobox" { out.append(.init("expanded", "False")) }
        else if role == "DisclosureTriangle", let details = element.parent, details.tag == "details" {
            out.append(.init("expanded", bool(state.isOpen(details))))
        } else if let expanded = aria("aria-expanded"), expanded == "true" || expanded == "false" {
            out.append(.init("expanded", bool(expanded == "true")))
        }
        if let selected = aria("aria-selected"), traits.contains(.selectable) {
            out.append(.init("selected", bool(selected == "true")))
        }
        if let pressed = aria("aria-pressed"), ["true", "false", "mixed"].contains(pressed) {
            out.append(.init("pressed", pressed))
        }
        if role == "listbox", element.hasAttribute("multiple") || aria("aria-multiselectable") == "true" {
            out.append(.init("multiselectable", "True"))
        }
        if traits.contains(.range) {
            let minimum = element.ariaAttribute("aria-valuemin") ?? element.attribute("min")
            let maximum = element.ariaAttribute("aria-valuemax") ?? element.attribute("max")
            if let minimum { out.append(.init("valuemin", minimum)) }
            if let maximum { out.append(.init("valuemax", maximum)) }
            if let text = element.ariaAttribute("aria-valuetext") { out.append(.init("valuetext", text)) }
        }
        if let live = aria("aria-live"), live == "polite" || live == "assertive" {
            // A live region's settings, as Chromium reports them (CDP's defaults filled in).
            out.append(.init("live", live))
            out.append(.init("atomic", bool(aria("aria-atomic") == "true")))
            out.append(.init("relevant", aria("aria-relevant") ?? "additions text"))
        }
        if isDisabled(element) { out.append(.init("disabled", "True")) }
        if element.tag == "a" || element.tag == "area", role == "link", let href = element.attribute("href") {
            // Kept for programmatic users; the renderer leaves `url` out of the text as WebArena does.
            out.append(.init("url", links.resolve(href) ?? href))
        }
        if traits.contains(.textEntry) || traits.contains(.range) {
            if element.tag == "input" || element.tag == "textarea" {
                if RoleMapping.inputType(element) != "password" { out.append(.init("value", state.value(of: element))) }
            } else if element.tag == "select" {
                out.append(.init("value", state.selectedOptions(of: element).map(FormState.optionLabel).joined(separator: ", ")))
            } else if let now = element.ariaAttribute("aria-valuenow") ?? element.attribute("value") {
                out.append(.init("value", now))
            }
        }
        return out
    }
}
