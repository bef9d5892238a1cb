/// The cascaded values of the properties that decide what the accessibility tree shows:
/// `display`, `visibility`, `white-space` (whether a text's line breaks and spaces are kept),
/// `text-transform` (the letter case text is shown in), `list-style-type` (a list item's marker)
/// and the table box properties. The element's `style` attribute sets them when the element is
/// built; `StyleCascade` then folds in the page's `<style>` sheets. The tree builder and the
/// name computation ask for them many times per element, so they are worked out once.
struct ElementStyle: Sendable, Hashable {
    /// The author's `display` (lower case), nil when no author declaration sets one (the tag's
    /// default then applies, and `hidden` hides).
    var display: String?
    /// true = hidden, false = visible, nil = inherited.
    var visibilityHidden: Bool?
    /// How the element's text treats white space; nil = inherited (or the tag's default).
    var whiteSpace: WhiteSpace?
    /// The letter case of the element's text; nil = inherited.
    var textTransform: TextTransform?
    /// The marker of a list item; nil = inherited (or the list tag's default).
    var listStyle: ListStyle?
    /// Borders, background and spacing, for telling data tables from layout tables.
    var table = TableBoxStyle()

    var displayNone: Bool { display == "none" }

    static let none = ElementStyle()
    /// The properties the cascade keeps (`white-space-collapse` is CSS Text 4's longhand of `white-space`).
    static let properties = ["display", "visibility", "white-space", "white-space-collapse", "text-transform",
                                    "list-style", "list-style-type"]
        + TableBoxStyle.properties

    /// The cascade slots a property fills: the shorthand and the longhand of white space share
    /// one; a border shorthand fills one per side and aspect.
    static func slots(of property: String) -> [String] {
        switch property {
        case "display", "visibility", "text-transform": return [property]
        case "white-space", "white-space-collapse": return ["white-space"]
        case "list-style", "list-style-type": return ["list-style-type"]
        default: return TableBoxStyle.slots(of: property)
        }
    }

    /// Forgets a slot's value, before the cascade's winner for it is applied.
    mutating func reset(slot: String) {
        switch slot {
        case "display": display = nil
        case "visibility": visibilityHidden = nil
        case "white-space": whiteSpace = nil
        case "text-transform": textTransform = nil
        case "list-style-type": listStyle = nil
        default: table.reset(slot: slot)
        }
    }

    init() {}

    /// A `style` attribute: important declarations win over normal ones, then the last wins.
    init(parsing css: String) {
        let declarations = CSSText.declarations(Array(css.utf8)[...], properties: Self.properties)
        for d in declarations where !d.important { apply(d) }
        for d in declarations where d.important { apply(d) }
    }

    /// Sets the property `declaration` names to its value. CSS-wide keywords: `initial` and
    /// `unset` give `display: inline` and `visibility: visible`'s inheritance; `inherit` and
    /// `revert` leave the value to the parent or the tag's default. Values this model cannot
    /// resolve (`var()`) are ignored.
    mutating func apply(_ declaration: CSSText.Declaration, slot: String? = nil) {
        let value = declaration.value
        if value.contains("var(") || value.contains("env(") || value.contains("attr(") { return }
        switch declaration.property {
        case "display":
            switch value {
            case "initial", "unset": display = "inline"
            case "inherit", "revert", "revert-layer": display = nil
            default: display = value
            }
        case "visibility":
            switch value {
            case "hidden", "collapse": visibilityHidden = true
            case "visible", "initial": visibilityHidden = false
            case "inherit", "unset", "revert", "revert-layer": visibilityHidden = nil
            default: break
            }
        case "white-space", "white-space-collapse":
            switch value {
            case "initial": whiteSpace = .collapse
            case "inherit", "unset", "revert", "revert-layer": whiteSpace = nil
            default: if let parsed = WhiteSpace(css: value) { whiteSpace = parsed }
            }
        case "list-style", "list-style-type":
            switch value {
            case "initial": listStyle = .disc
            case "inherit", "unset", "revert", "revert-layer": listStyle = nil
            default: if let parsed = ListStyle(css: value) { listStyle = parsed }
            }
        case "text-transform":
            switch value {
            case "initial": textTransform = TextTransform.none
            case "inherit", "unset", "revert", "revert-layer": textTransform = nil
            default: if let parsed = TextTransform(css: value) { textTransform = parsed }
            }
        default: table.apply(declaration, slot: slot)
        }
    }
}

/// What layout keeps of a text's white space (CSS Text 3/4 `white-space-collapse`).
enum WhiteSpace: Sendable, Hashable {
    /// `normal`, `nowrap`: runs of white space become one space.
    case collapse
    /// `pre`, `pre-wrap`, `break-spaces`: every space, tab and line break kept.
    case preserve
    /// `pre-line`: line breaks kept, other runs of spaces collapsed.
    case preserveBreaks

    /// A `white-space` or `white-space-collapse` value (the first keyword that decides collapsing).
    init?(css value: String) {
        for word in value.split(separator: " ") {
            switch word {
            case "normal", "nowrap", "collapse", "wrap": self = .collapse; return
            case "pre", "pre-wrap", "break-spaces", "preserve", "preserve-spaces": self = .preserve; return
            case "pre-line", "preserve-breaks": self = .preserveBreaks; return
            default: continue
            }
        }
        return nil
    }

    /// The user agent style sheet's value for a tag (HTML's rendering section), nil = inherited.
    static func tagDefault(_ tag: String) -> WhiteSpace? {
        switch tag {
        case "pre", "listing", "xmp", "plaintext", "textarea": return .preserve
        default: return nil
        }
    }
}
