/// CSS Lists 3 `list-style-type`: the marker a list item shows. Chromium's tree shows a marker as
/// a StaticText ("•", "◦", "■", "1.") before the content of an `<li>` that is not a `listitem`
/// (in a list whose role was changed, such as `<ul role=navigation>`, or presentational); a real
/// list item's marker is a ListMarker node the observation leaves out. Inherited.
enum ListStyle: Sendable, Hashable {
    case none, disc, circle, square
    case decimal, decimalLeadingZero, lowerAlpha, upperAlpha, lowerRoman, upperRoman, lowerGreek
    /// A type this model does not draw (other scripts' numbering, `symbols()`, strings).
    case unsupported

    /// A `list-style-type` value, or the type keyword of a `list-style` shorthand (`none` may also
    /// mean no image there: `list-style: none` sets the type to none either way).
    init?(css value: String) {
        for word in value.split(separator: " ") {
            switch word {
            case "none": self = .none; return
            case "disc": self = .disc; return
            case "circle": self = .circle; return
            case "square": self = .square; return
            case "decimal": self = .decimal; return
            case "decimal-leading-zero": self = .decimalLeadingZero; return
            case "lower-alpha", "lower-latin": self = .lowerAlpha; return
            case "upper-alpha", "upper-latin": self = .upperAlpha; return
            case "lower-roman": self = .lowerRoman; return
            case "upper-roman": self = .upperRoman; return
            case "lower-greek": self = .lowerGreek; return
            case "inside", "outside": continue
            default:
                if word.hasPrefix("url(") || word.hasPrefix("\"") || word.hasPrefix("'") { continue }
                if word.allSatisfy({ $0.isLetter || $0 == "-" }) { self = .unsupported; return }
            }
        }
        return nil
    }

    /// The presentational `type` attribute of `<ol>`/`<ul>` (HTML's rendering section).
    init?(typeAttribute value: String) {
        switch value {
        case "1": self = .decimal
        case "a": self = .lowerAlpha
        case "A": self = .upperAlpha
        case "i": self = .lowerRoman
        case "I": self = .upperRoman
        default:
            switch value.lowercased() {
            case "disc": self = .disc
            case "circle": self = .circle
            case "square": self = .square
            default: return nil
            }
        }
    }

    /// The user agent style sheet's type for a list element nested in `depth` other lists.
    static func tagDefault(_ tag: String, depth: Int) -> ListStyle? {
        switch tag {
        case "ol": return .decimal
        case "ul", "menu", "dir": return depth == 0 ? .disc : depth == 1 ? .circle : .square
        default: return nil
        }
    }

    static let listTags: Set<String> = ["ul", "ol", "menu", "dir"]

    private var isNumbered: Bool {
        switch self {
        case .none, .unsupported, .disc, .circle, .square: return false
        default: return true
        }
    }

    /// The marker's text for the item numbered `ordinal`, as Chromium names it (no trailing space).
    /// The ordinal is only worked out for numbered styles: counting an item's siblings on every
    /// tree build is wasted on bullets.
    func marker(ordinal: @autoclosure () -> Int) -> String? {
        let ordinal = isNumbered ? ordinal() : 0
        switch self {
        case .none, .unsupported: return nil
        case .disc: return "•"
        case .circle: return "◦"
        case .square: return "■"
        case .decimal: return "\(ordinal)."
        case .decimalLeadingZero: return (ordinal >= 0 && ordinal < 10 ? "0" : "") + "\(ordinal)."
        case .lowerAlpha: return Self.alphabetic(ordinal, letters: Self.latin).lowercased() + "."
        case .upperAlpha: return Self.alphabetic(ordinal, letters: Self.latin) + "."
        case .lowerRoman: return Self.roman(ordinal).map { $0.lowercased() + "." }
        case .upperRoman: return Self.roman(ordinal).map { $0 + "." }
        case .lowerGreek: return Self.alphabetic(ordinal, letters: Self.greek) + "."
        }
    }

    private static let latin = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    /// CSS Counter Styles' lower-greek: the 24 letters without final sigma.
    private static let greek = Array("αβγδεζηθικλμνξοπρστυφχψω")

    /// A, B, …, Z, AA, AB, … (CSS Counter Styles' alphabetic system); decimal below 1.
    private static func alphabetic(_ n: Int, letters: [Character]) -> String {
        guard n >= 1 else { return "\(n)" }
        var n = n, out = ""
        while n > 0 {
            n -= 1
            out = String(letters[n % letters.count]) + out
            n /= letters.count
        }
        return out
    }

    /// I … MMMCMXCIX (additive system, range 1–3999); decimal outside it.
    private static func roman(_ n: Int) -> String? {
        guard (1...3999).contains(n) else { return "\(n)" }
        let table: [(Int, String)] = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                                      (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
        var n = n, out = ""
        for (value, numeral) in table { while n >= value { out += numeral; n -= value } }
        return out
    }
}
