/// The declarations of an element's `style` attribute that decide visibility, parsed once when
/// the element is built: the tree builder and the name computation ask for them many times per
/// element (its own node, every name-from-content walk that passes through it).
struct InlineStyle: Sendable, Hashable {
    var displayNone = false
    /// true = hidden, false = visible, nil = inherited.
    var visibilityHidden: Bool?
    var display: String?

    static let none = InlineStyle()

    init() {}

    init(parsing css: String) {
        for declaration in css.split(separator: ";") {
            guard let colon = declaration.firstIndex(of: ":") else { continue }
            let property = declaration[..<colon].trimmingASCIIWhitespace().lowercased()
            guard property == "display" || property == "visibility" else { continue }
            var value = declaration[declaration.index(after: colon)...].trimmingASCIIWhitespace().lowercased()
            if let bang = value.firstIndex(of: "!") { value = value[..<bang].trimmingASCIIWhitespace() }
            switch property {
            case "display":
                display = value
                displayNone = value == "none"
            case "visibility":
                visibilityHidden = value == "hidden" || value == "collapse"
            default: break
            }
        }
    }
}
