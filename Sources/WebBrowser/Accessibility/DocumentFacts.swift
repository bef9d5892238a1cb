import Foundation

/// What the accessibility layer derives from the DOM alone: each element's role and which
/// `<label>`s name which control. The DOM never changes after parsing, so these are computed on
/// the first tree build of a document and reused by every later build (each action re-renders
/// the same document with new form state) and by every name-from-content walk, which would
/// otherwise recompute roles of the same descendants over and over.
struct DocumentFacts: Sendable {
    /// Role by node index (empty for text nodes).
    let roles: [String]
    /// The role's traits by node index.
    let roleTraits: [RoleTraits]
    /// Control element index → the `<label>`s that label it (by `for` or by wrapping).
    let labels: [Int: [HTMLElement]]
    /// The `text-transform` in force for an element's text (its own or inherited) by node index.
    let textTransforms: [TextTransform]
    /// The `list-style-type` in force for an element (its own, its list tag's, or inherited) by node index.
    let listStyles: [ListStyle]
    /// List item numbers, counted per list when a shown marker first needs one.
    let listOrdinals = ListOrdinals()

    init(document: HTMLDocument) {
        var roles = [String](repeating: "", count: document.nodeCount)
        var traits = [RoleTraits](repeating: [], count: document.nodeCount)
        var labels: [Int: [HTMLElement]] = [:]
        var transforms = [TextTransform](repeating: .none, count: document.nodeCount)
        var listStyles = [ListStyle](repeating: .disc, count: document.nodeCount)
        // Lists an element is nested in (for `ul ul { list-style-type: circle }`).
        var listDepths = [Int](repeating: 0, count: document.nodeCount)
        // Pre-order: a parent's inherited values are known before its children's.
        for element in document.root.descendants() {
            let i = element.index
            if i < transforms.count {
                let parent = element.parent.flatMap { $0.index < transforms.count ? $0.index : nil }
                let inherited = parent.map { transforms[$0] } ?? .none
                transforms[i] = element.style.textTransform ?? TextTransform.tagDefault(element.tag) ?? inherited
                let depth = parent.map { listDepths[$0] } ?? 0
                listDepths[i] = depth + (ListStyle.listTags.contains(element.tag) ? 1 : 0)
                let typeHint = ListStyle.listTags.contains(element.tag) ? element.attribute("type").flatMap(ListStyle.init(typeAttribute:)) : nil
                listStyles[i] = element.style.listStyle ?? typeHint ?? ListStyle.tagDefault(element.tag, depth: depth)
                    ?? parent.map { listStyles[$0] } ?? .disc
            }
            if element.index < roles.count {
                let role = AccessibilityTree.computedRole(of: element, in: document)
                roles[element.index] = role
                traits[element.index] = RoleTraits(role: role)
            }
            if element.tag == "label", let target = AccessibleNameComputer.labeledControl(of: element, in: document) {
                labels[target.index, default: []].append(element)
            }
        }
        self.roles = roles
        self.roleTraits = traits
        self.labels = labels
        self.textTransforms = transforms
        self.listStyles = listStyles
    }

    func listStyle(of element: HTMLElement) -> ListStyle {
        element.index < listStyles.count ? listStyles[element.index] : .disc
    }

    /// The transform applied to the text directly inside `element`.
    func textTransform(inside element: HTMLElement) -> TextTransform {
        element.index < textTransforms.count ? textTransforms[element.index] : .none
    }

    func traits(of element: HTMLElement) -> RoleTraits {
        element.index < roleTraits.count ? roleTraits[element.index] : RoleTraits(role: role(of: element))
    }

    func role(of element: HTMLElement) -> String {
        element.index < roles.count ? roles[element.index] : AccessibilityTree.computedRole(of: element)
    }
}

/// Computes a document's facts once, whichever thread asks first.
final class DocumentFactsCache: @unchecked Sendable {
    private let lock = NSLock()
    private var facts: DocumentFacts?

    func facts(of document: HTMLDocument) -> DocumentFacts {
        lock.withLock {
            if let facts { return facts }
            let computed = DocumentFacts(document: document)
            facts = computed
            return computed
        }
    }
}
