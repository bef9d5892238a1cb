/// The cascaded values Chromium's data-table heuristic reads of a table, its rows and its cells
/// (`DataTableHeuristic`): which sides draw a border, the background colour, whether cells are
/// spaced apart, and `empty-cells`. Each is nil until an author declaration (inline or from a
/// sheet) sets it; the table's presentational attributes (`border`, `bgcolor`, `cellspacing`)
/// and CSS's initial values are applied by the reader, as they rank below any author rule.
struct TableBoxStyle: Sendable, Hashable {
    /// Bit `side` set: a border style for that side (top 0, right 1, bottom 2, left 3) was declared.
    private var styleSet: UInt8 = 0
    /// Bit `side` set: the declared style draws a line (not `none` or `hidden`).
    private var styleDraws: UInt8 = 0
    private var widthSet: UInt8 = 0
    /// Bit `side` set: the declared width is above zero.
    private var widthPositive: UInt8 = 0
    /// The declared background colour, normalised (`transparent` when a shorthand names none).
    var background: String?
    /// Whether `border-spacing` was declared zero (nil = not declared).
    var borderSpacingZero: Bool?
    /// `empty-cells: hide` (true) or `show` (false); inherited, nil = as the parent.
    var emptyCellsHide: Bool?

    static let sides = ["top", "right", "bottom", "left"]

    /// The properties the cascade keeps for this struct.
    static let properties = ["border", "border-style", "border-width", "background", "background-color",
                             "border-spacing", "empty-cells"]
        + sides.flatMap { ["border-\($0)", "border-\($0)-style", "border-\($0)-width"] }

    /// The cascade slots (one per longhand) a declaration of `property` sets: a shorthand fills
    /// several, and the last declaration of highest priority wins each slot on its own.
    static func slots(of property: String) -> [String] {
        switch property {
        case "border": return sides.flatMap { ["border-\($0)-style", "border-\($0)-width"] }
        case "border-style": return sides.map { "border-\($0)-style" }
        case "border-width": return sides.map { "border-\($0)-width" }
        case "background", "background-color": return ["background-color"]
        default:
            if let side = sides.first(where: { property == "border-\($0)" }) {
                return ["border-\(side)-style", "border-\(side)-width"]
            }
            return [property]
        }
    }

    /// Whether the side's border is drawn, given what the table's presentational attributes give
    /// when no author rule set it (`border` on `<table>` gives its cells 1px inset borders).
    func drawsBorder(side: Int, presentational: Bool) -> Bool {
        let bit: UInt8 = 1 << side
        let draws = styleSet & bit != 0 ? styleDraws & bit != 0 : presentational
        // The initial width is `medium` (3px), drawn once a style is.
        let positive = widthSet & bit != 0 ? widthPositive & bit != 0 : true
        return draws && positive
    }

    /// Forgets the slot's value, before the cascade's winner for it is applied.
    mutating func reset(slot: String) {
        if let (side, isStyle) = Self.sideSlot(slot) {
            let keep = ~(UInt8(1) << side)
            if isStyle { styleSet &= keep; styleDraws &= keep } else { widthSet &= keep; widthPositive &= keep }
            return
        }
        switch slot {
        case "background-color": background = nil
        case "border-spacing": borderSpacingZero = nil
        case "empty-cells": emptyCellsHide = nil
        default: break
        }
    }

    /// Sets what `declaration` says of `slot`, or of every slot it fills when `slot` is nil.
    mutating func apply(_ declaration: CSSText.Declaration, slot: String? = nil) {
        let value = declaration.value
        let tokens = Self.tokens(value)
        for target in slot.map({ [$0] }) ?? Self.slots(of: declaration.property) {
            if let (side, isStyle) = Self.sideSlot(target) {
                let bit: UInt8 = 1 << side
                let word: String?
                switch declaration.property {
                case "border", "border-\(Self.sides[side])":
                    // A shorthand resets what it leaves out: no style is `none`, no width `medium`.
                    word = isStyle ? (tokens.first(where: Self.borderStyles.contains) ?? "none")
                        : (tokens.first(where: Self.isWidth) ?? "medium")
                case "border-style", "border-width":
                    word = Self.boxValue(tokens, side: side)
                default:
                    word = tokens.first
                }
                guard let word, !["inherit", "unset", "revert", "revert-layer"].contains(word) else {
                    reset(slot: target)
                    continue
                }
                if isStyle {
                    styleSet |= bit
                    if word != "none" && word != "hidden" && word != "initial" { styleDraws |= bit } else { styleDraws &= ~bit }
                } else {
                    widthSet |= bit
                    if word == "initial" || Self.isPositiveWidth(word) { widthPositive |= bit } else { widthPositive &= ~bit }
                }
                continue
            }
            switch target {
            case "background-color":
                background = declaration.property == "background-color"
                    ? Self.normalizedColor(value) : Self.normalizedColor(tokens.first(where: Self.isColor) ?? "transparent")
            case "border-spacing":
                borderSpacingZero = tokens.allSatisfy { !Self.isPositiveWidth($0) }
            case "empty-cells":
                switch value {
                case "hide": emptyCellsHide = true
                case "show", "initial": emptyCellsHide = false
                default: emptyCellsHide = nil
                }
            default: break
            }
        }
    }

    private static func sideSlot(_ slot: String) -> (side: Int, isStyle: Bool)? {
        guard slot.hasPrefix("border-"), let side = sides.firstIndex(where: { slot.hasPrefix("border-\($0)-") }) else {
            return nil
        }
        return (side, slot.hasSuffix("-style"))
    }

    static let borderStyles: Set<String> = ["none", "hidden", "dotted", "dashed", "solid", "double", "groove",
                                            "ridge", "inset", "outset"]

    /// The value of `side` in a one-to-four-value box property (top, right, bottom, left).
    private static func boxValue(_ tokens: [String], side: Int) -> String? {
        switch tokens.count {
        case 1: return tokens[0]
        case 2: return tokens[side % 2]
        case 3: return side == 3 ? tokens[1] : tokens[side]
        case 4...: return tokens[side]
        default: return nil
        }
    }

    private static func isWidth(_ token: String) -> Bool {
        ["thin", "medium", "thick"].contains(token) || token.first.map { $0.isNumber || $0 == "." } == true
    }

    /// A border width or spacing above zero: a keyword or a non-zero length.
    static func isPositiveWidth(_ token: String) -> Bool {
        if ["thin", "medium", "thick"].contains(token) { return true }
        let number = token.prefix { $0.isNumber || $0 == "." || $0 == "-" || $0 == "+" }
        guard let amount = Double(number) else { return false }
        return amount > 0
    }

    /// Words of a `background` shorthand that are not colours.
    private static let backgroundKeywords: Set<String> = [
        "none", "repeat", "repeat-x", "repeat-y", "no-repeat", "space", "round", "scroll", "fixed", "local",
        "top", "bottom", "left", "right", "center", "border-box", "padding-box", "content-box", "text", "auto",
        "cover", "contain", "initial", "inherit", "unset", "revert",
    ]

    private static func isColor(_ token: String) -> Bool {
        if token.hasPrefix("#") || token.hasPrefix("rgb") || token.hasPrefix("hsl") || token.hasPrefix("hwb")
            || token.hasPrefix("lab(") || token.hasPrefix("lch(") || token.hasPrefix("oklab(") || token.hasPrefix("oklch(")
            || token.hasPrefix("color(") { return true }
        guard let first = token.unicodeScalars.first, first.properties.isAlphabetic else { return false }
        return !token.contains("(") && !token.contains("/") && !backgroundKeywords.contains(token)
    }

    /// One spelling per colour for the comparisons the heuristic makes: `#abc` as `#aabbcc`,
    /// fully transparent colours as `transparent`, spaces dropped.
    static func normalizedColor(_ value: String) -> String {
        var color = value.filter { !$0.isWhitespace }
        if color.hasPrefix("#"), color.count == 4 || color.count == 5 {
            color = "#" + color.dropFirst().map { "\($0)\($0)" }.joined()
        }
        if color == "transparent" || color.hasSuffix(",0)") || color.hasSuffix("/0)") || color.hasSuffix(",0.0)")
            || (color.hasPrefix("#") && color.count == 9 && color.hasSuffix("00")) {
            return "transparent"
        }
        return color
    }

    /// Space-separated words of a value, with bracketed groups (`rgb(0, 0, 0)`, `url(a b)`) kept whole.
    static func tokens(_ value: String) -> [String] {
        var out: [String] = []
        var current = ""
        var depth = 0
        for ch in value {
            if ch == "(" { depth += 1 } else if ch == ")" { depth = max(0, depth - 1) }
            if ch.isWhitespace && depth == 0 {
                if !current.isEmpty { out.append(current); current = "" }
            } else {
                current.append(ch)
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}
