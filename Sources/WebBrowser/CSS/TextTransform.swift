/// CSS Text 3 `text-transform`: the case a text is rendered in. Chromium's accessibility tree
/// names text from its layout, so a StaticText under `text-transform: uppercase` reads in capitals
/// and so does a link named from that text. Inherited; `none` undoes an ancestor's transform.
enum TextTransform: UInt8, Sendable, Hashable {
    case none, uppercase, lowercase, capitalize

    /// A `text-transform` value (its first case keyword; `full-width` and `full-size-kana` change
    /// no letter case and are ignored).
    init?(css value: String) {
        for word in value.split(separator: " ") {
            switch word {
            case "none": self = .none; return
            case "uppercase": self = .uppercase; return
            case "lowercase": self = .lowercase; return
            case "capitalize": self = .capitalize; return
            default: continue
            }
        }
        return nil
    }

    /// The user agent style sheet's value for a tag, nil = inherited: Chromium's `html.css` gives
    /// form controls `text-transform: none`, so a button under an upper-cased `<nav>` keeps its case.
    static func tagDefault(_ tag: String) -> TextTransform? {
        switch tag {
        case "button", "input", "select", "textarea": return TextTransform.none
        default: return nil
        }
    }

    /// `text` as rendered. `previous` is the character laid out just before it in the same line
    /// (nil at the start of a block): `capitalize` does not start a word that continues one
    /// (`hello<b>world</b>` stays "helloworld" apart from its first letter).
    func apply(to text: String, after previous: Character? = nil) -> String {
        switch self {
        case .none: return text
        case .uppercase: return text.uppercased()
        case .lowercase: return text.lowercased()
        case .capitalize: return Self.capitalizingWords(text, atWordStart: previous.map(Self.endsWord) ?? true)
        }
    }

    /// Upper-cases the first letter of each word and leaves the rest as written (unlike
    /// Foundation's `capitalized`, which lower-cases the rest). A word starts after white space
    /// or punctuation other than an apostrophe, so "don't" stays one word and "3rd" is left alone.
    static func capitalizingWords(_ text: String, atWordStart: Bool = true) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var atWordStart = atWordStart
        for character in text {
            if character.isLetter {
                out += atWordStart ? character.uppercased() : String(character)
            } else {
                out.append(character)
            }
            atWordStart = endsWord(character)
        }
        return out
    }

    /// Whether a word may start after `character`.
    static func endsWord(_ character: Character) -> Bool {
        !(character.isLetter || character.isNumber || character == "'" || character == "\u{2019}")
    }
}
