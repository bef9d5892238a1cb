/// What the accessibility layer asks of a tag name again and again, as bits worked out once per
/// distinct tag of a parse (the parser's name cache holds them) instead of a set lookup per
/// element per question.
struct TagTraits: OptionSet, Sendable, Hashable {
    let rawValue: UInt16

    /// Never rendered: `head`, `script`, `style`, `template`...
    static let nonRendered = TagTraits(rawValue: 1 << 0)
    /// A block box by default: names from content put spaces around it.
    static let blockLevel = TagTraits(rawValue: 1 << 1)
    /// Can be disabled (`disabled` attribute, disabled fieldset).
    static let formControl = TagTraits(rawValue: 1 << 2)
    /// `input`, `select`, `textarea`.
    static let nativeControl = TagTraits(rawValue: 1 << 3)
    /// Belongs in `<head>`.
    static let headContent = TagTraits(rawValue: 1 << 4)
    /// Its implicit role depends on attributes or context, not on the tag alone.
    static let contextualRole = TagTraits(rawValue: 1 << 5)

    /// Never rendered. `noscript` is among them because Chromium runs scripts: its content is
    /// fallback for browsers that do not, and neither Chromium's tree nor its text shows it.
    static let nonRenderedTags: Set<String> = [
        "head", "script", "style", "template", "title", "meta", "link", "base", "noembed", "noframes", "noscript",
        "param", "source", "track", "datalist", "area", "map",
    ]
    static let blockLevelTags: Set<String> = [
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "dialog", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hgroup", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td",
        "tfoot", "th", "thead", "tr", "ul", "legend", "menu", "search", "body", "html", "option", "optgroup",
    ]
    static let formControlTags: Set<String> = ["button", "input", "select", "textarea", "optgroup", "option", "fieldset"]
    static let nativeControlTags: Set<String> = ["input", "select", "textarea"]
    static let headContentTags: Set<String> = ["title", "meta", "link", "style", "script", "base", "noscript", "template"]

    init(rawValue: UInt16) { self.rawValue = rawValue }

    init(tag: String) {
        var traits: TagTraits = []
        if Self.nonRenderedTags.contains(tag) { traits.insert(.nonRendered) }
        if Self.blockLevelTags.contains(tag) { traits.insert(.blockLevel) }
        if Self.formControlTags.contains(tag) { traits.insert(.formControl) }
        if Self.nativeControlTags.contains(tag) { traits.insert(.nativeControl) }
        if Self.headContentTags.contains(tag) { traits.insert(.headContent) }
        if RoleMapping.contextualRoleTags.contains(tag) { traits.insert(.contextualRole) }
        self = traits
    }
}

/// Everything derived from a tag name alone, worked out together once per distinct tag.
struct TagFacts: Sendable, Hashable {
    let traits: TagTraits
    /// The implicit role when the tag alone decides it, else nil.
    let role: String?

    init(tag: String) {
        traits = TagTraits(tag: tag)
        role = RoleMapping.tagRoles[tag]
    }
}
