import Foundation

/// Normalisation shared by every string comparison, so "$1,234.50", "1234.5" and "1234.50 dollars"
/// compare equal on the number and "Emma  Lopez." equals "emma lopez".
///
/// Text becomes a list of tokens: lower-cased words (letters and digits) and canonical numbers
/// (currency signs and thousands separators dropped, trailing zeros removed). Matching works on
/// whole tokens, so "0" does not match inside "10" and "$0.00" matches "0" — WebArena's NLTK
/// tokenisation got both of these wrong.
public enum AnswerText {
    /// Splits a reference on WebArena's ` |OR| ` separator into its alternatives.
    public static func alternatives(_ reference: String) -> [String] {
        reference.components(separatedBy: "|OR|").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    public static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        let scalars = Array(text.lowercased().unicodeScalars)
        var i = 0
        func isDigit(_ s: Unicode.Scalar) -> Bool { s.properties.numericType == .decimal && s.isASCII }
        func isWordChar(_ s: Unicode.Scalar) -> Bool { s.properties.isAlphabetic || isDigit(s) }
        while i < scalars.count {
            let s = scalars[i]
            // A number: optional sign, digits with thousands commas, optional decimals.
            let startsNumber = isDigit(s) || ((s == "-" || s == ".") && i + 1 < scalars.count && isDigit(scalars[i + 1])
                                               && (i == 0 || !isWordChar(scalars[i - 1])))
            if startsNumber {
                var j = i
                var raw = ""
                if scalars[j] == "-" { raw.append("-"); j += 1 }
                while j < scalars.count {
                    let c = scalars[j]
                    if isDigit(c) { raw.unicodeScalars.append(c); j += 1 }
                    else if c == ",", j + 3 < scalars.count + 0, j + 1 < scalars.count, isDigit(scalars[j + 1]),
                            raw.contains(where: \.isNumber), !raw.contains(".") { j += 1 }
                    else if c == ".", j + 1 < scalars.count, isDigit(scalars[j + 1]), !raw.contains(".") { raw.append("."); j += 1 }
                    else { break }
                }
                // Letters glued to digits ("2nd", "sku123") stay one word token.
                if j < scalars.count, scalars[j].properties.isAlphabetic {
                    var word = String(String.UnicodeScalarView(scalars[i..<j]))
                    while j < scalars.count, isWordChar(scalars[j]) { word.unicodeScalars.append(scalars[j]); j += 1 }
                    tokens.append(word.replacingOccurrences(of: ",", with: ""))
                } else {
                    tokens.append(canonicalNumber(raw))
                }
                i = j
            } else if isWordChar(s) {
                var j = i
                var word = ""
                while j < scalars.count, isWordChar(scalars[j]) { word.unicodeScalars.append(scalars[j]); j += 1 }
                tokens.append(word)
                i = j
            } else {
                i += 1
            }
        }
        return tokens
    }

    /// "1234.50" -> "1234.5", "0.00" -> "0", "-0" -> "0", "007" -> "7".
    static func canonicalNumber(_ raw: String) -> String {
        guard let value = Decimal(string: raw) else { return raw }
        var d = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &d, 6, .plain)
        let s = NSDecimalNumber(decimal: rounded).stringValue
        return s == "-0" ? "0" : s
    }

    public static func normalized(_ text: String) -> String { tokens(text).joined(separator: " ") }

    /// The reference's tokens appear, consecutively, among the prediction's tokens.
    public static func includes(_ prediction: String, _ reference: String) -> Bool {
        let r = tokens(reference)
        guard !r.isEmpty else { return true }
        let p = tokens(prediction)
        guard p.count >= r.count else { return false }
        for start in 0...(p.count - r.count) where Array(p[start..<(start + r.count)]) == r { return true }
        return false
    }

    public static func equals(_ prediction: String, _ reference: String) -> Bool {
        tokens(prediction) == tokens(reference)
    }

    /// Numbers in the text, canonical.
    public static func numbers(_ text: String) -> [String] {
        tokens(text).filter { Decimal(string: $0) != nil }
    }
}
