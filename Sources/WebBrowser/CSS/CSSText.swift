/// The pieces of CSS Syntax 3 the cascade needs, on UTF-8 bytes: comments removed, a sheet cut
/// into rules and at-rules at one nesting level, a block cut into declarations, identifiers with
/// escapes. Every scan moves forward only, so any input (unbalanced braces, unterminated strings
/// or comments) is consumed in linear time; end of input closes whatever is open, as §5.4 says.
enum CSSText {
    /// One item of a rule list: an at-rule (`@media screen { … }`, `@import …;`) or a qualified
    /// rule (`selector { declarations }`). `block` is nil for an at-rule ended by `;`.
    struct Item {
        var atKeyword: String?
        var prelude: ArraySlice<UInt8>
        var block: ArraySlice<UInt8>?
    }

    /// The text with `/* … */` comments removed (strings kept whole, so `"/*"` stays).
    static func withoutComments(_ text: [UInt8]) -> [UInt8] {
        guard text.contains(UInt8(ascii: "*")) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            let c = text[i]
            if c == UInt8(ascii: "/"), i + 1 < text.count, text[i + 1] == UInt8(ascii: "*") {
                i += 2
                while i < text.count, !(text[i] == UInt8(ascii: "*") && i + 1 < text.count && text[i + 1] == UInt8(ascii: "/")) { i += 1 }
                i = min(i + 2, text.count)
                continue
            }
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                let end = stringEnd(text[...], from: i)
                out.append(contentsOf: text[i..<end])
                i = end
                continue
            }
            out.append(c)
            i += 1
        }
        return out
    }

    /// The index just past the string opening at `start`: its closing quote, an unescaped
    /// newline (a bad string, §4.3.5) or the end.
    static func stringEnd(_ text: ArraySlice<UInt8>, from start: Int) -> Int {
        let quote = text[start]
        var i = start + 1
        while i < text.endIndex {
            let c = text[i]
            if c == quote { return i + 1 }
            if c == UInt8(ascii: "\n") { return i }
            if c == UInt8(ascii: "\\") { i += 2; continue }
            i += 1
        }
        return text.endIndex
    }

    /// The items of a rule list (a sheet, or an `@media` block's contents).
    static func items(_ text: ArraySlice<UInt8>) -> [Item] {
        var out: [Item] = []
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if isWhitespace(c) || c == UInt8(ascii: ";") || c == UInt8(ascii: "}") { i += 1; continue }
            if c == UInt8(ascii: "<") || c == UInt8(ascii: "-") && text[i...].starts(with: "-->".utf8) {
                // CDO/CDC (`<!--`, `-->`) at the top of a sheet are skipped (§5.4.1).
                if text[i...].starts(with: "<!--".utf8) { i += 4; continue }
                if text[i...].starts(with: "-->".utf8) { i += 3; continue }
            }
            var keyword: String?
            var preludeStart = i
            if c == UInt8(ascii: "@") {
                var j = i + 1
                let name = identifier(text, at: &j)
                keyword = name.lowercased()
                preludeStart = j
                i = j
            }
            // The prelude runs to `{` (or, for an at-rule, `;`) outside blocks and strings; a `[`
            // or `(` block swallows braces up to its own closer (§5.4.8), so a sheet that opens
            // with `<![CDATA[` is one unfinished prelude, as in browsers.
            var closers: [UInt8] = []
            var blockStart: Int?
            while i < text.endIndex {
                let d = text[i]
                if d == UInt8(ascii: "\"") || d == UInt8(ascii: "'") { i = stringEnd(text, from: i); continue }
                if d == UInt8(ascii: "\\") { i += 2; continue }
                if closers.isEmpty {
                    if d == UInt8(ascii: "{") { blockStart = i; break }
                    if d == UInt8(ascii: ";"), keyword != nil { break }
                }
                track(d, &closers)
                i += 1
            }
            i = min(i, text.endIndex)
            let prelude = text[preludeStart..<i]
            guard let open = blockStart else {
                if keyword != nil { out.append(Item(atKeyword: keyword, prelude: prelude, block: nil)) }
                i = min(i + 1, text.endIndex)
                continue
            }
            let close = blockEnd(text, open: open)
            out.append(Item(atKeyword: keyword, prelude: prelude, block: text[(open + 1)..<close]))
            i = min(close + 1, text.endIndex)
        }
        return out
    }

    /// The index of the `}` matching the `{` at `open`, or the end of the text.
    static func blockEnd(_ text: ArraySlice<UInt8>, open: Int) -> Int {
        var closers: [UInt8] = []
        var i = open
        while i < text.endIndex {
            let c = text[i]
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") { i = stringEnd(text, from: i); continue }
            if c == UInt8(ascii: "\\") { i += 2; continue }
            track(c, &closers)
            if closers.isEmpty { return i }
            i += 1
        }
        return text.endIndex
    }

    /// Opens a block at `(`, `[` or `{` and closes the innermost one at its own closer; any other
    /// closer is an ordinary token inside the block (§5.4.8).
    static func track(_ c: UInt8, _ closers: inout [UInt8]) {
        switch c {
        case UInt8(ascii: "("): closers.append(UInt8(ascii: ")"))
        case UInt8(ascii: "["): closers.append(UInt8(ascii: "]"))
        case UInt8(ascii: "{"): closers.append(UInt8(ascii: "}"))
        default: if c == closers.last { closers.removeLast() }
        }
    }

    /// One declaration: a lower-case property, its value (trimmed, without `!important`) and
    /// whether it was important.
    struct Declaration: Equatable {
        var property: String
        var value: String
        var important: Bool
    }

    /// The declarations of a block (or of a `style` attribute) among `properties`, in order.
    /// Nested rules and malformed declarations are dropped (§5.4.5).
    static func declarations(_ text: ArraySlice<UInt8>, properties: [String]) -> [Declaration] {
        var out: [Declaration] = []
        var i = text.startIndex
        while i < text.endIndex {
            // One declaration runs to `;` outside brackets, braces and strings.
            let start = i
            var depth = 0
            var colon: Int?
            while i < text.endIndex {
                let c = text[i]
                if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") { i = stringEnd(text, from: i); continue }
                if c == UInt8(ascii: "\\") { i += 2; continue }
                if c == UInt8(ascii: "(") || c == UInt8(ascii: "[") || c == UInt8(ascii: "{") { depth += 1 }
                else if c == UInt8(ascii: ")") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") { depth = max(0, depth - 1) }
                else if c == UInt8(ascii: ":"), depth == 0, colon == nil { colon = i }
                else if c == UInt8(ascii: ";"), depth == 0 { break }
                i += 1
            }
            let end = min(i, text.endIndex)
            i = min(i + 1, text.endIndex)
            guard let colon else { continue }
            let name = trimmed(text[start..<colon])
            // Compared as bytes: a sheet has thousands of declarations and the cascade keeps few.
            guard let property = properties.first(where: { p in
                p.utf8.count == name.count && zip(p.utf8, name).allSatisfy { $0 == $1 | 0x20 }
            }) else { continue }
            var value = trimmed(text[(colon + 1)..<end])
            var important = false
            if let bang = value.lastIndex(of: UInt8(ascii: "!")),
               String(decoding: trimmed(value[(bang + 1)...]), as: UTF8.self).lowercased() == "important" {
                important = true
                value = trimmed(value[..<bang])
            }
            guard !value.isEmpty else { continue }
            out.append(Declaration(property: property, value: String(decoding: value, as: UTF8.self).lowercased(),
                                   important: important))
        }
        return out
    }

    static func isWhitespace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D
    }

    /// A byte that may continue an identifier: letters, digits, `-`, `_` and any non-ASCII byte.
    static func isNameByte(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39)
            || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c >= 0x80
    }

    static func trimmed(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var a = s.startIndex, b = s.endIndex
        while a < b, isWhitespace(s[a]) { a += 1 }
        while b > a, isWhitespace(s[b - 1]) { b -= 1 }
        return s[a..<b]
    }

    /// Reads an identifier at `i` (name bytes and escapes, §4.3.7), advancing past it; "" when
    /// none starts there.
    static func identifier(_ text: ArraySlice<UInt8>, at i: inout Int) -> String {
        var out: [UInt8] = []
        while i < text.endIndex {
            let c = text[i]
            if isNameByte(c) { out.append(c); i += 1; continue }
            guard c == UInt8(ascii: "\\"), i + 1 < text.endIndex, text[i + 1] != UInt8(ascii: "\n") else { break }
            i += 1
            var hex = 0, digits = 0
            while digits < 6, i < text.endIndex, let v = hexValue(text[i]) { hex = hex * 16 + v; digits += 1; i += 1 }
            if digits > 0 {
                if i < text.endIndex, isWhitespace(text[i]) { i += 1 }
                let scalar = (hex == 0 || hex > 0x10FFFF || (0xD800...0xDFFF).contains(hex)) ? Unicode.Scalar(0xFFFD)! : Unicode.Scalar(UInt32(hex))!
                out.append(contentsOf: String(Character(scalar)).utf8)
            } else {
                out.append(text[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case 0x30...0x39: return Int(c - 0x30)
        case 0x61...0x66: return Int(c - 0x61 + 10)
        case 0x41...0x46: return Int(c - 0x41 + 10)
        default: return nil
        }
    }
}
