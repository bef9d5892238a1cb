/// The cascaded values of the properties that decide what the accessibility tree shows:
/// `display` and `visibility`. The element's `style` attribute sets them when the element is
/// built; `StyleCascade` then folds in the page's `<style>` sheets. The tree builder and the
/// name computation ask for them many times per element, so they are worked out once.
struct ElementStyle: Sendable, Hashable {
    /// The author's `display` (lower case), nil when no author declaration sets one (the tag's
    /// default then applies, and `hidden` hides).
    var display: String?
    /// true = hidden, false = visible, nil = inherited.
    var visibilityHidden: Bool?

    var displayNone: Bool { display == "none" }

    static let none = ElementStyle()
    /// The properties the cascade keeps.
    static let properties = ["display", "visibility"]

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
    mutating func apply(_ declaration: CSSText.Declaration) {
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
        default: break
        }
    }
}
