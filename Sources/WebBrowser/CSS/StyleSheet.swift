/// The rules of a page's style sheets that set `display` or `visibility`, indexed by the key of
/// their subject compound (id, else first class, else tag, else none), as browsers index them:
/// an element is only tested against rules whose key it has.
struct StyleSheet {
    struct Rule {
        var selector: CSSComplexSelector
        var declarations: [CSSText.Declaration]
        /// Position of the rule among all rules of all sheets (the cascade's last tie-break).
        var order: Int
        /// Inside `@layer`: unlayered rules beat layered ones for normal declarations, and lose
        /// for important ones (CSS Cascade 5 §6.4); layers' order among themselves is not kept.
        var layered: Bool
        /// Hashes of ids, classes and tags that some ancestor of a matching element must have.
        var ancestorKeys: [Int]
    }

    private(set) var rules: [Rule] = []
    private(set) var byID: [String: [Int]] = [:]
    private(set) var byClass: [String: [Int]] = [:]
    private(set) var byTag: [String: [Int]] = [:]
    private(set) var universal: [Int] = []
    private var order = 0

    /// Bounds on hostile sheets: kept rules, and nesting of conditional at-rules.
    static let maximumRules = 20_000
    static let maximumNesting = 8

    var isEmpty: Bool { rules.isEmpty }

    /// Adds a sheet's text. `media` is the owner's `media` attribute.
    mutating func add(_ text: String, media: String? = nil) {
        if let media, !MediaQuery.matches(media) { return }
        let bytes = CSSText.withoutComments(Array(text.utf8))
        add(CSSText.items(bytes[...]), layered: false, nesting: 0)
    }

    private mutating func add(_ items: [CSSText.Item], layered: Bool, nesting: Int) {
        for item in items {
            guard rules.count < Self.maximumRules else { return }
            guard let block = item.block else { continue }
            if let keyword = item.atKeyword {
                guard nesting < Self.maximumNesting else { continue }
                let prelude = String(decoding: item.prelude, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                switch keyword {
                case "media":
                    if MediaQuery.matches(prelude) { add(CSSText.items(block), layered: layered, nesting: nesting + 1) }
                case "supports":
                    // Feature queries are taken as true (Chromium supports what pages test for),
                    // but `not (…)` as false.
                    if !prelude.lowercased().hasPrefix("not") { add(CSSText.items(block), layered: layered, nesting: nesting + 1) }
                case "layer":
                    add(CSSText.items(block), layered: true, nesting: nesting + 1)
                default:
                    continue  // @font-face, @keyframes, @page, @container…: nothing for the cascade here
                }
                continue
            }
            let declarations = CSSText.declarations(block, properties: ElementStyle.properties)
            guard !declarations.isEmpty else { continue }
            var parser = CSSSelectorParser(bytes: item.prelude)
            guard let list = parser.list(nesting: 0, forgiving: false), parser.atEnd else { continue }
            order += 1
            for selector in list where !selector.unmatchable {
                add(Rule(selector: selector, declarations: declarations, order: order, layered: layered,
                         ancestorKeys: Self.ancestorKeys(selector)))
            }
        }
    }

    private mutating func add(_ rule: Rule) {
        let index = rules.count
        rules.append(rule)
        let subject = rule.selector.subject
        if let id = subject.id { byID[id, default: []].append(index) }
        else if let name = subject.classes.first { byClass[name, default: []].append(index) }
        else if let tag = subject.tag { byTag[tag, default: []].append(index) }
        else { universal.append(index) }
    }

    /// Keys of the compounds that must match ancestors of the subject: those followed by a
    /// descendant or child combinator (a compound followed by a sibling combinator matches a
    /// sibling, whose ancestors are the subject's all the same).
    static func ancestorKeys(_ selector: CSSComplexSelector) -> [Int] {
        var keys: [Int] = []
        for (k, combinator) in selector.combinators.enumerated() where combinator == .descendant || combinator == .child {
            let c = selector.compounds[k]
            if let id = c.id { keys.append(key(id: id)) }
            for name in c.classes { keys.append(key(class: name)) }
            if let tag = c.tag { keys.append(key(tag: tag)) }
        }
        return keys
    }

    static func key(id: String) -> Int { var h = Hasher(); h.combine(0); h.combine(id); return h.finalize() }
    static func key(class name: String) -> Int { var h = Hasher(); h.combine(1); h.combine(name); return h.finalize() }
    static func key(tag: String) -> Int { var h = Hasher(); h.combine(2); h.combine(tag); return h.finalize() }
}
