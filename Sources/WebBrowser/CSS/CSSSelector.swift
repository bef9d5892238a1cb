/// A parsed selector list (Selectors Level 4): compound selectors of type, universal, `#id`,
/// `.class`, attribute tests and pseudo-classes, joined by descendant, child (`>`), next-sibling
/// (`+`) and subsequent-sibling (`~`) combinators, in comma-separated lists.
///
/// Pseudo-classes that describe user state (`:hover`, `:focus`, `:visited`…) never match a page
/// nobody has touched, so `:not(:hover)` matches. Valid pseudo-classes this engine cannot decide
/// (`:has()`, `:lang()`…) and pseudo-elements (`::before`) make their complex selector match
/// nothing. An unknown pseudo-class or any syntax error makes the whole list invalid (§3.1 of
/// Selectors 4: an invalid selector list drops its rule), and `init` fails.
public struct CSSSelectorList: Sendable {
    let selectors: [CSSComplexSelector]

    /// Bounds on hostile input: compounds in one complex selector, nesting of `:not()`/`:is()`.
    static let maximumCompounds = 32
    static let maximumNesting = 4

    public init?(_ text: String) {
        var parser = CSSSelectorParser(bytes: Array(text.utf8)[...])
        guard let list = parser.list(nesting: 0, forgiving: false), parser.atEnd, !list.isEmpty else { return nil }
        selectors = list
    }

    init(selectors: [CSSComplexSelector]) { self.selectors = selectors }

    /// Whether any selector of the list matches `element`.
    public func matches(_ element: HTMLElement) -> Bool {
        let context = SelectorContext()
        return selectors.contains { context.matches($0, element) }
    }

    /// Elements under `root` (itself included) matching the list, in document order.
    public func select(in root: HTMLElement) -> [HTMLElement] {
        let context = SelectorContext()
        return root.descendants().filter { e in selectors.contains { context.matches($0, e) } }
    }
}

/// One complex selector: compounds left to right, and the combinator before each but the first.
struct CSSComplexSelector: Sendable {
    enum Combinator: Sendable { case descendant, child, nextSibling, subsequentSibling }

    var compounds: [CSSCompound]
    var combinators: [Combinator]
    /// (ids, classes/attributes/pseudo-classes, types/pseudo-elements) packed 8 bits each.
    var specificity: Int
    /// Uses something this engine cannot decide: matches nothing.
    var unmatchable: Bool

    var subject: CSSCompound { compounds[compounds.count - 1] }
}

struct CSSCompound: Sendable {
    var tag: String?
    var id: String?
    var classes: [String] = []
    var attributes: [AttributeTest] = []
    var pseudoClasses: [PseudoClass] = []

    struct AttributeTest: Sendable {
        enum Operator: Sendable { case exists, equals, includes, dashMatch, prefix, suffix, substring }
        var name: String
        var op: Operator
        var value: String
        var caseInsensitive: Bool
    }

    indirect enum PseudoClass: Sendable {
        case not([CSSComplexSelector]), matchesAny([CSSComplexSelector])
        case nth(a: Int, b: Int, ofType: Bool, fromEnd: Bool, of: [CSSComplexSelector]?)
        case root, empty, link, checked, disabled, enabled, required, optional
        /// User state no static page is in (`:hover`, `:focus`, `:visited`…).
        case never
    }
}

/// Packs a specificity triple, each part capped at 255.
func specificity(ids: Int, classes: Int, types: Int) -> Int {
    min(ids, 255) << 16 | min(classes, 255) << 8 | min(types, 255)
}

/// Adds two packed specificities part by part, each part capped.
func addingSpecificity(_ x: Int, _ y: Int) -> Int {
    specificity(ids: (x >> 16) + (y >> 16), classes: (x >> 8 & 255) + (y >> 8 & 255), types: (x & 255) + (y & 255))
}

struct CSSSelectorParser {
    var bytes: ArraySlice<UInt8>
    var i: Int

    init(bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.i = bytes.startIndex
    }

    var atEnd: Bool {
        mutating get { skipWhitespace(); return i >= bytes.endIndex }
    }

    /// State pseudo-classes: false for a page as loaded, before anyone interacts with it.
    static let neverPseudoClasses: Set<String> = [
        "hover", "active", "focus", "focus-visible", "focus-within", "visited", "target", "target-within",
        "fullscreen", "modal", "popover-open", "autofill", "-webkit-autofill", "playing", "paused",
        "user-invalid", "user-valid", "picture-in-picture", "-webkit-full-screen", "current", "past", "future",
        "open", "closed", "-webkit-drag",
    ]
    /// Valid pseudo-classes whose answer this engine does not compute.
    static let undecidedPseudoClasses: Set<String> = [
        "defined", "indeterminate", "default", "valid", "invalid", "in-range", "out-of-range",
        "placeholder-shown", "read-only", "read-write", "scope", "host", "window-inactive", "horizontal",
        "vertical", "decrement", "increment", "start", "end", "double-button", "single-button", "no-button",
        "corner-present", "xr-overlay", "-internal-list-box",
    ]
    static let undecidedFunctions: Set<String> = ["has", "lang", "dir", "host", "host-context", "state", "nth-col", "nth-last-col"]
    /// Pseudo-elements Chromium accepts (with `::`, or one colon for the CSS 2 four).
    static let pseudoElements: Set<String> = [
        "before", "after", "first-line", "first-letter", "marker", "placeholder", "selection", "backdrop",
        "file-selector-button", "cue", "target-text", "spelling-error", "grammar-error", "highlight", "part",
        "slotted", "view-transition", "view-transition-group", "view-transition-image-pair",
        "view-transition-old", "view-transition-new", "search-text", "details-content", "column", "scroll-marker",
        "scroll-marker-group", "scroll-button", "picker", "picker-icon", "checkmark",
    ]
    static let legacyPseudoElements: Set<String> = ["before", "after", "first-line", "first-letter"]

    mutating func skipWhitespace() {
        while i < bytes.endIndex, CSSText.isWhitespace(bytes[i]) { i += 1 }
    }

    func peek(_ c: Character) -> Bool { i < bytes.endIndex && bytes[i] == c.asciiValue! }

    /// A selector list; with `forgiving` (`:is()`, `:where()`), invalid members are dropped.
    mutating func list(nesting: Int, forgiving: Bool) -> [CSSComplexSelector]? {
        var out: [CSSComplexSelector] = []
        while true {
            skipWhitespace()
            let start = i
            if let s = complex(nesting: nesting) {
                out.append(s)
            } else if forgiving {
                i = start
                skipToListSeparator()
            } else {
                return nil
            }
            skipWhitespace()
            if peek(",") { i += 1; continue }
            return out
        }
    }

    /// Past the current list member: to the next `,` or `)` at this bracket depth.
    mutating func skipToListSeparator() {
        var depth = 0
        while i < bytes.endIndex {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") { i = CSSText.stringEnd(bytes, from: i); continue }
            if c == UInt8(ascii: "(") || c == UInt8(ascii: "[") { depth += 1 }
            if c == UInt8(ascii: ")") || c == UInt8(ascii: "]") {
                if depth == 0 { return }
                depth -= 1
            }
            if c == UInt8(ascii: ","), depth == 0 { return }
            i += 1
        }
    }

    mutating func complex(nesting: Int) -> CSSComplexSelector? {
        var compounds: [CSSCompound] = []
        var combinators: [CSSComplexSelector.Combinator] = []
        var spec = 0
        var unmatchable = false
        while true {
            guard var c = compound(nesting: nesting, specificity: &spec, unmatchable: &unmatchable) else { return nil }
            if compounds.count >= CSSSelectorList.maximumCompounds { unmatchable = true; c = CSSCompound() }
            compounds.append(c)
            let before = i
            skipWhitespace()
            var combinator: CSSComplexSelector.Combinator?
            if peek(">") { combinator = .child }
            else if peek("+") { combinator = .nextSibling }
            else if peek("~") { combinator = .subsequentSibling }
            if combinator != nil {
                i += 1
                skipWhitespace()
            } else if i > before, i < bytes.endIndex, !peek(","), !peek(")"), !peek("{") {
                combinator = .descendant
            }
            guard let combinator else {
                i = i > before ? i : before
                break
            }
            combinators.append(combinator)
        }
        if compounds.count > CSSSelectorList.maximumCompounds {
            compounds.removeLast(compounds.count - CSSSelectorList.maximumCompounds)
            combinators.removeLast(combinators.count - (compounds.count - 1))
        }
        return CSSComplexSelector(compounds: compounds, combinators: combinators, specificity: spec, unmatchable: unmatchable)
    }

    /// One compound selector; nil when none starts here or it is malformed.
    mutating func compound(nesting: Int, specificity spec: inout Int, unmatchable: inout Bool) -> CSSCompound? {
        var c = CSSCompound()
        var parts = 0
        var ids = 0, classes = 0, types = 0
        defer { spec = addingSpecificity(spec, specificity(ids: ids, classes: classes, types: types)) }
        // Type or universal, with an optional namespace prefix (`*|` only: no @namespace here).
        if peek("*") {
            i += 1
            parts += 1
            if peek("|") { i += 1; guard peek("*") || (i < bytes.endIndex && CSSText.isNameByte(bytes[i])) else { return nil }
                if peek("*") { i += 1 } else { c.tag = CSSText.identifier(bytes, at: &i).lowercased(); types += 1 }
            }
        } else if i < bytes.endIndex, CSSText.isNameByte(bytes[i]) || bytes[i] == UInt8(ascii: "\\") {
            let name = CSSText.identifier(bytes, at: &i)
            guard !name.isEmpty, !name.first!.isNumber else { return nil }
            if peek("|") { return nil }  // a namespace prefix no @namespace declared
            c.tag = name.lowercased()
            types += 1
            parts += 1
        }
        while i < bytes.endIndex {
            let ch = bytes[i]
            if ch == UInt8(ascii: "#") {
                i += 1
                let name = CSSText.identifier(bytes, at: &i)
                guard !name.isEmpty else { return nil }
                if c.id != nil, c.id != name { unmatchable = true }
                c.id = name
                ids += 1
            } else if ch == UInt8(ascii: ".") {
                i += 1
                let name = CSSText.identifier(bytes, at: &i)
                guard !name.isEmpty, !name.first!.isNumber || name.hasPrefix("-") else { return nil }
                c.classes.append(name)
                classes += 1
            } else if ch == UInt8(ascii: "[") {
                i += 1
                guard let test = attributeTest() else { return nil }
                c.attributes.append(test)
                classes += 1
            } else if ch == UInt8(ascii: ":") {
                i += 1
                var element = false
                if peek(":") { i += 1; element = true }
                let name = CSSText.identifier(bytes, at: &i).lowercased()
                guard !name.isEmpty else { return nil }
                let function = peek("(")
                if element || (!function && Self.legacyPseudoElements.contains(name)) {
                    guard Self.pseudoElements.contains(name) || name.hasPrefix("-webkit-") || name.hasPrefix("-internal-") else { return nil }
                    if function { guard skipArguments() else { return nil } }
                    types += 1
                    unmatchable = true  // the rule styles the pseudo-element, not the element
                    parts += 1
                    continue
                }
                if function {
                    i += 1
                    guard let pseudo = functionalPseudoClass(name, nesting: nesting, classes: &classes, ids: &ids,
                                                             types: &types, unmatchable: &unmatchable) else { return nil }
                    if let pseudo { c.pseudoClasses.append(pseudo) }
                    skipWhitespace()
                    guard peek(")") else { return nil }
                    i += 1
                } else {
                    guard let pseudo = Self.simplePseudoClass(name) else {
                        guard Self.undecidedPseudoClasses.contains(name) || name.hasPrefix("-webkit-") else { return nil }
                        unmatchable = true
                        classes += 1
                        parts += 1
                        continue
                    }
                    c.pseudoClasses.append(pseudo)
                    classes += 1
                }
            } else {
                break
            }
            parts += 1
        }
        return parts == 0 ? nil : c
    }

    static func simplePseudoClass(_ name: String) -> CSSCompound.PseudoClass? {
        switch name {
        case "root": return .root
        case "empty": return .empty
        case "link", "any-link", "-webkit-any-link": return .link
        case "checked": return .checked
        case "disabled": return .disabled
        case "enabled": return .enabled
        case "required": return .required
        case "optional": return .optional
        case "first-child": return .nth(a: 0, b: 1, ofType: false, fromEnd: false, of: nil)
        case "last-child": return .nth(a: 0, b: 1, ofType: false, fromEnd: true, of: nil)
        case "first-of-type": return .nth(a: 0, b: 1, ofType: true, fromEnd: false, of: nil)
        case "last-of-type": return .nth(a: 0, b: 1, ofType: true, fromEnd: true, of: nil)
        case "only-child": return .matchesAny([CSSComplexSelector(
            compounds: [CSSCompound(pseudoClasses: [.nth(a: 0, b: 1, ofType: false, fromEnd: false, of: nil),
                                                    .nth(a: 0, b: 1, ofType: false, fromEnd: true, of: nil)])],
            combinators: [], specificity: 0, unmatchable: false)])
        case "only-of-type": return .matchesAny([CSSComplexSelector(
            compounds: [CSSCompound(pseudoClasses: [.nth(a: 0, b: 1, ofType: true, fromEnd: false, of: nil),
                                                    .nth(a: 0, b: 1, ofType: true, fromEnd: true, of: nil)])],
            combinators: [], specificity: 0, unmatchable: false)])
        default: return neverPseudoClasses.contains(name) ? .never : nil
        }
    }

    /// `name(` … has been read; reads the arguments up to (not including) `)`. Outer nil: invalid;
    /// inner nil: valid but adds no test (the selector was marked unmatchable instead).
    mutating func functionalPseudoClass(_ name: String, nesting: Int, classes: inout Int, ids: inout Int, types: inout Int,
                                        unmatchable: inout Bool) -> CSSCompound.PseudoClass?? {
        func adding(_ list: [CSSComplexSelector]) {
            let most = list.map(\.specificity).max() ?? 0
            ids += most >> 16; classes += most >> 8 & 255; types += most & 255
        }
        switch name {
        case "not", "is", "where", "-webkit-any":
            guard nesting < CSSSelectorList.maximumNesting else { return nil }
            let forgiving = name != "not"
            guard let list = list(nesting: nesting + 1, forgiving: forgiving) else { return nil }
            if name != "where" { adding(list) }
            if name == "not" {
                if list.contains(where: \.unmatchable) { unmatchable = true; return .some(nil) }
                return .not(list)
            }
            return .matchesAny(list.filter { !$0.unmatchable })
        case "nth-child", "nth-last-child", "nth-of-type", "nth-last-of-type":
            guard let (a, b) = anPlusB() else { return nil }
            classes += 1
            var of: [CSSComplexSelector]?
            skipWhitespace()
            if name.hasSuffix("child"), i + 1 < bytes.endIndex, bytes[i] | 0x20 == UInt8(ascii: "o"), bytes[i + 1] | 0x20 == UInt8(ascii: "f") {
                i += 2
                guard nesting < CSSSelectorList.maximumNesting,
                      let list = list(nesting: nesting + 1, forgiving: false) else { return nil }
                adding(list)
                if list.contains(where: \.unmatchable) { unmatchable = true }
                of = list
            }
            return .nth(a: a, b: b, ofType: name.hasSuffix("of-type"), fromEnd: name.contains("last"), of: of)
        default:
            guard Self.undecidedFunctions.contains(name) else { return nil }
            guard skipArguments(closing: false) else { return nil }
            classes += 1
            unmatchable = true
            return .some(nil)
        }
    }

    /// Skips a function's arguments; with `closing`, also its `)`. False at end of input.
    mutating func skipArguments(closing: Bool = true) -> Bool {
        if closing { i += 1 }  // the `(`
        var depth = 0
        while i < bytes.endIndex {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") { i = CSSText.stringEnd(bytes, from: i); continue }
            if c == UInt8(ascii: "(") { depth += 1 }
            if c == UInt8(ascii: ")") {
                if depth == 0 { if closing { i += 1 }; return true }
                depth -= 1
            }
            i += 1
        }
        return false
    }

    /// `An+B` (CSS Syntax 3 §6): `odd`, `even`, `3`, `-n+2`, `2n + 1`…
    mutating func anPlusB() -> (Int, Int)? {
        skipWhitespace()
        var text = ""
        while i < bytes.endIndex {
            let c = bytes[i]
            if c == UInt8(ascii: ")") { break }
            // `of` ends the An+B part: it starts with a letter other than n.
            if CSSText.isWhitespace(c) {
                var j = i
                while j < bytes.endIndex, CSSText.isWhitespace(bytes[j]) { j += 1 }
                if j < bytes.endIndex, bytes[j] | 0x20 == UInt8(ascii: "o") { break }
                i = j
                continue
            }
            guard c < 0x80, text.count < 24 else { return nil }
            text.append(Character(Unicode.Scalar(c)))
            i += 1
        }
        text = text.lowercased()
        if text == "odd" { return (2, 1) }
        if text == "even" { return (2, 0) }
        guard let n = text.firstIndex(of: "n") else { return Int(text).map { (0, $0) } }
        let aText = text[..<n]
        let a: Int
        switch aText {
        case "", "+": a = 1
        case "-": a = -1
        default: guard let v = Int(aText) else { return nil }; a = v
        }
        let rest = text[text.index(after: n)...]
        if rest.isEmpty { return (a, 0) }
        guard rest.first == "+" || rest.first == "-", let b = Int(rest.first == "+" ? rest.dropFirst() : rest) else { return nil }
        return (a, b)
    }

    /// `[` has been read: `name]`, `name=value]`, `name~="value" i]`…
    mutating func attributeTest() -> CSSCompound.AttributeTest? {
        skipWhitespace()
        if peek("*"), i + 1 < bytes.endIndex, bytes[i + 1] == UInt8(ascii: "|") { i += 2 }
        else if peek("|") { i += 1 }
        let name = CSSText.identifier(bytes, at: &i).lowercased()
        guard !name.isEmpty else { return nil }
        skipWhitespace()
        if peek("]") { i += 1; return .init(name: name, op: .exists, value: "", caseInsensitive: false) }
        var op: CSSCompound.AttributeTest.Operator
        if peek("=") { op = .equals; i += 1 } else {
            guard i + 1 < bytes.endIndex, bytes[i + 1] == UInt8(ascii: "=") else { return nil }
            switch bytes[i] {
            case UInt8(ascii: "~"): op = .includes
            case UInt8(ascii: "|"): op = .dashMatch
            case UInt8(ascii: "^"): op = .prefix
            case UInt8(ascii: "$"): op = .suffix
            case UInt8(ascii: "*"): op = .substring
            default: return nil
            }
            i += 2
        }
        skipWhitespace()
        var value: String
        if peek("\"") || peek("'") {
            let end = CSSText.stringEnd(bytes, from: i)
            guard end > i + 1, bytes[end - 1] == bytes[i] else { return nil }
            value = Self.unescapedString(bytes[(i + 1)..<(end - 1)])
            i = end
        } else {
            value = CSSText.identifier(bytes, at: &i)
            guard !value.isEmpty else { return nil }
        }
        skipWhitespace()
        var insensitive = false
        if i < bytes.endIndex, bytes[i] | 0x20 == UInt8(ascii: "i") || bytes[i] | 0x20 == UInt8(ascii: "s") {
            insensitive = bytes[i] | 0x20 == UInt8(ascii: "i")
            i += 1
            skipWhitespace()
        }
        guard peek("]") else { return nil }
        i += 1
        return .init(name: name, op: op, value: insensitive ? value.lowercased() : value, caseInsensitive: insensitive)
    }

    /// A quoted string's contents with its escapes resolved.
    static func unescapedString(_ s: ArraySlice<UInt8>) -> String {
        guard s.contains(UInt8(ascii: "\\")) else { return String(decoding: s, as: UTF8.self) }
        var out: [UInt8] = []
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == UInt8(ascii: "\\") {
                if i + 1 < s.endIndex, s[i + 1] == UInt8(ascii: "\n") { i += 2; continue }
                var j = i
                let decoded = CSSText.identifier(s, at: &j)
                if j > i { out.append(contentsOf: decoded.utf8); i = j; continue }
                i += 1
                continue
            }
            out.append(s[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
