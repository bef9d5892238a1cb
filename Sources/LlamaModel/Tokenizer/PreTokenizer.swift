/// Splits text into the pieces BPE runs on, as Hugging Face's `ByteLevel(use_regex: true)`
/// pre-tokenizer does with the GPT-2 pattern
///   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
/// optionally preceded by `Digits(individual_digits: true)` (SmolLM2's "smollm" pre-tokenizer).
///
/// Hand-written rather than a regex: it works on Unicode scalars exactly as the Rust regex does
/// (Swift `Character`s would glue combining marks to their base), and it is several times faster
/// than NSRegularExpression.
public struct PreTokenizer: Sendable, Hashable {
    /// Isolate every numeric scalar (Rust `char::is_numeric`) before the regex.
    public var individualDigits: Bool

    public init(individualDigits: Bool) { self.individualDigits = individualDigits }

    enum Kind { case letter, number, space, other }

    @inline(__always)
    static func kind(_ s: Unicode.Scalar) -> Kind {
        if s.value < 0x80 {
            let v = s.value
            if (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) { return .letter }
            if v >= 0x30 && v <= 0x39 { return .number }
            if v == 0x20 || (v >= 0x09 && v <= 0x0D) { return .space }
            return .other
        }
        if s.properties.isWhitespace { return .space }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return .other
        }
    }

    /// Pieces of `text` as ranges of scalar indices into `scalars`.
    public func split(_ scalars: [Unicode.Scalar]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        if individualDigits {
            var start = 0
            for i in scalars.indices where Self.kind(scalars[i]) == .number {
                if start < i { regexSplit(scalars, start..<i, into: &out) }
                out.append(i..<i + 1)
                start = i + 1
            }
            if start < scalars.count { regexSplit(scalars, start..<scalars.count, into: &out) }
        } else {
            regexSplit(scalars, 0..<scalars.count, into: &out)
        }
        return out
    }

    private func regexSplit(_ s: [Unicode.Scalar], _ range: Range<Int>, into out: inout [Range<Int>]) {
        let end = range.upperBound
        var i = range.lowerBound
        func run(from j: Int, _ k: Kind) -> Int {
            var j = j
            while j < end && Self.kind(s[j]) == k { j += 1 }
            return j
        }
        func runOther(from j: Int) -> Int {
            var j = j
            while j < end && Self.kind(s[j]) == .other { j += 1 }
            return j
        }
        while i < end {
            let c = s[i]
            // Contractions: 's 't 're 've 'm 'll 'd (lower case only, as in the GPT-2 pattern).
            if c == "'" && i + 1 < end {
                let a = s[i + 1]
                if a == "s" || a == "t" || a == "m" || a == "d" { out.append(i..<i + 2); i += 2; continue }
                if i + 2 < end {
                    let b = s[i + 2]
                    if (a == "r" && b == "e") || (a == "v" && b == "e") || (a == "l" && b == "l") { out.append(i..<i + 3); i += 3; continue }
                }
            }
            // Optional single leading space (U+0020 only) before letters, numbers or other symbols.
            var j = i
            if c == " " && i + 1 < end && Self.kind(s[i + 1]) != .space { j = i + 1 }
            let k = Self.kind(s[j])
            switch k {
            case .letter, .number:
                let e = run(from: j, k); out.append(i..<e); i = e
            case .other:
                let e = runOther(from: j); out.append(i..<e); i = e
            case .space:
                // \s+(?!\S): a whitespace run not followed by a non-space, else leave its last
                // scalar to join the next piece; a lone space before a non-space falls to \s+.
                let e = run(from: i, .space)
                if e == end || e - i == 1 { out.append(i..<e); i = e } else { out.append(i..<e - 1); i = e - 1 }
            }
        }
    }
}
