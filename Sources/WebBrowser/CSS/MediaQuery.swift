/// Media Queries 4 evaluated for the screen Chromium renders observations on: a 1280×720 window
/// (`ChromiumBrowser.Configuration`'s default, WebArena's viewport), light scheme, fine pointer
/// with hover, no reduced motion. A query this evaluator does not understand is false, as an
/// unknown media feature is (§3.1).
enum MediaQuery {
    static let viewportWidth = 1280.0
    static let viewportHeight = 720.0

    /// Whether a media query list (`screen and (max-width: 600px), print`) matches; an empty
    /// list matches.
    static func matches(_ text: String) -> Bool {
        let list = text.lowercased()
        if list.allSatisfy(\.isWhitespace) { return true }
        return splitTopLevel(list, on: ",").contains { query($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// `[not|only] type [and condition]` or a bare condition.
    private static func query(_ text: String) -> Bool {
        var words = Substring(text)
        var negated = false
        if words.hasPrefix("not ") { negated = true; words = words.dropFirst(4) }
        else if words.hasPrefix("only ") { words = words.dropFirst(5) }
        words = words.drop(while: \.isWhitespace)
        guard !words.isEmpty else { return false }
        if words.first != "(" {
            let type = words.prefix(while: { !$0.isWhitespace && $0 != "(" })
            words = words.dropFirst(type.count).drop(while: \.isWhitespace)
            var result: Bool
            switch type {
            case "all", "screen": result = true
            case "print", "speech", "tv", "projection", "handheld", "braille", "embossed", "aural", "tty": result = false
            default: return false
            }
            if !words.isEmpty {
                guard words.hasPrefix("and") else { return false }
                result = result && condition(String(words.dropFirst(3)))
            }
            return negated ? !result : result
        }
        let result = condition(String(words))
        return negated ? !result : result
    }

    /// `(a) and (b)`, `(a) or (b)`, `not (a)`; nested parentheses are conditions again.
    private static func condition(_ text: String) -> Bool {
        let s = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if s.hasPrefix("not ") || s.hasPrefix("not(") { return !condition(String(s.dropFirst(3))) }
        let ors = splitTopLevel(s, on: " or ")
        if ors.count > 1 { return ors.contains { condition($0) } }
        let ands = splitTopLevel(s, on: " and ")
        if ands.count > 1 { return ands.allSatisfy { condition($0) } }
        guard s.hasPrefix("("), s.hasSuffix(")") else { return false }
        let inner = String(s.dropFirst().dropLast()).trimmingCharacters(in: .whitespacesAndNewlines)
        if inner.hasPrefix("(") || inner.hasPrefix("not ") { return condition(inner) }
        return feature(inner)
    }

    /// One feature test: `name`, `name: value` or a range (`width >= 600px`, `400px < width < 900px`).
    private static func feature(_ text: String) -> Bool {
        for op in ["<=", ">=", "<", ">", "="] where text.contains(op) && !text.contains(":") {
            return range(text)
        }
        guard let colon = text.firstIndex(of: ":") else { return booleanFeature(text) }
        let name = text[..<colon].trimmingCharacters(in: .whitespaces)
        let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        var base = name
        var compare: (Double, Double) -> Bool = { $0 == $1 }
        for (prefix, test) in [("min-", { (a: Double, b: Double) in a >= b }), ("max-", { $0 <= $1 }),
                               ("-webkit-min-", { $0 >= $1 }), ("-webkit-max-", { $0 <= $1 })] where name.hasPrefix(prefix) {
            base = (prefix.hasPrefix("-webkit") ? "-webkit-" : "") + name.dropFirst(prefix.count)
            compare = test
        }
        if let actual = numeric(base), let wanted = number(value, for: base) { return compare(actual, wanted) }
        switch name {
        case "orientation": return value == "landscape"
        case "prefers-color-scheme": return value == "light"
        case "prefers-reduced-motion", "prefers-reduced-transparency", "prefers-reduced-data": return value == "no-preference"
        case "prefers-contrast": return value == "no-preference"
        case "forced-colors", "inverted-colors": return value == "none"
        case "hover", "any-hover": return value == "hover"
        case "pointer", "any-pointer": return value == "fine"
        case "scripting": return value == "enabled"
        case "update": return value == "fast"
        case "display-mode": return value == "browser"
        case "color-gamut": return value == "srgb"
        case "dynamic-range", "video-dynamic-range": return value == "standard"
        case "overflow-block": return value == "scroll"
        case "overflow-inline": return value == "scroll"
        default: return false
        }
    }

    private static func booleanFeature(_ name: String) -> Bool {
        ["color", "hover", "any-hover", "pointer", "any-pointer", "width", "height", "device-width",
         "device-height", "scripting", "update"].contains(name)
    }

    /// `width >= 600px`, `600px <= width`, `400px < width <= 900px`.
    private static func range(_ text: String) -> Bool {
        var parts: [String] = []
        var ops: [String] = []
        var current = ""
        var chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "<" || c == ">" || c == "=" {
                var op = String(c)
                if i + 1 < chars.count, chars[i + 1] == "=" { op += "="; i += 1 }
                parts.append(current.trimmingCharacters(in: .whitespaces))
                ops.append(op)
                current = ""
            } else {
                current.append(c)
            }
            i += 1
        }
        chars = []
        parts.append(current.trimmingCharacters(in: .whitespaces))
        guard parts.count == ops.count + 1, parts.count <= 3,
              let name = parts.first(where: { numeric($0) != nil }), let actual = numeric(name) else { return false }
        for (k, op) in ops.enumerated() {
            let left = parts[k] == name ? actual : number(parts[k], for: name)
            let right = parts[k + 1] == name ? actual : number(parts[k + 1], for: name)
            guard let left, let right else { return false }
            let holds: Bool
            switch op {
            case "<": holds = left < right
            case "<=": holds = left <= right
            case ">": holds = left > right
            case ">=": holds = left >= right
            default: holds = left == right
            }
            if !holds { return false }
        }
        return true
    }

    /// The screen's value of a numeric feature.
    private static func numeric(_ name: String) -> Double? {
        switch name {
        case "width", "device-width": return viewportWidth
        case "height", "device-height": return viewportHeight
        case "aspect-ratio", "device-aspect-ratio": return viewportWidth / viewportHeight
        case "resolution": return 1  // dppx
        case "-webkit-device-pixel-ratio", "device-pixel-ratio": return 1
        case "color": return 8
        case "monochrome": return 0
        default: return nil
        }
    }

    /// A value in the feature's unit: px for lengths (em and rem as 16px), dppx for resolution.
    private static func number(_ text: String, for feature: String) -> Double? {
        let s = text.trimmingCharacters(in: .whitespaces)
        if feature.hasSuffix("aspect-ratio") {
            let parts = s.split(separator: "/").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            if parts.count == 2, let w = parts[0], let h = parts[1], h != 0 { return w / h }
            return Double(s)
        }
        let digits = s.prefix { $0.isNumber || $0 == "." || $0 == "-" || $0 == "+" }
        guard let value = Double(digits) else { return nil }
        switch s.dropFirst(digits.count) {
        case "", "px", "dppx", "x": return value
        case "em", "rem": return value * 16
        case "dpi": return value / 96
        case "dpcm": return value * 2.54 / 96
        case "pt": return value * 4 / 3
        case "cm": return value * 96 / 2.54
        case "mm": return value * 96 / 25.4
        case "in": return value * 96
        default: return nil
        }
    }

    /// Splits at `separator` outside parentheses.
    private static func splitTopLevel(_ text: String, on separator: String) -> [String] {
        var out: [String] = []
        var depth = 0
        var current = ""
        var rest = Substring(text)
        while let c = rest.first {
            if depth == 0, rest.hasPrefix(separator) {
                out.append(current)
                current = ""
                rest = rest.dropFirst(separator.count)
                continue
            }
            if c == "(" { depth += 1 } else if c == ")" { depth = max(0, depth - 1) }
            current.append(c)
            rest = rest.dropFirst()
        }
        out.append(current)
        return out
    }
}
