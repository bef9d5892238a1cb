/// Splits text into the pieces BPE runs on, as Hugging Face's `ByteLevel(use_regex: true)`
/// pre-tokenizer does with the GPT-2 pattern
///   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
/// optionally preceded by `Digits(individual_digits: true)` (SmolLM2's "smollm" pre-tokenizer), or
/// the Qwen2 pattern (`Pattern.qwen2`, also Qwen2.5 and Qwen3; GGUF `tokenizer.ggml.pre` "qwen2")
///   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
/// which Llama 3 shares except for `\p{N}{1,3}` (`Pattern.llama3`). Qwen's tokenizer also
/// NFC-normalises the text first (`normalizesNFC`).
///
/// Hand-written rather than a regex: it works on Unicode scalars exactly as the Rust regex does
/// (Swift `Character`s would glue combining marks to their base), and it is several times faster
/// than NSRegularExpression.
public struct PreTokenizer: Sendable, Hashable {
    /// Isolate every numeric scalar (Rust `char::is_numeric`) before the regex.
    public var individualDigits: Bool
    /// Which split regex runs.
    public var pattern: Pattern
    /// Apply Unicode NFC to the text before splitting (Qwen's `NFC` normalizer).
    public var normalizesNFC: Bool

    /// The split regexes this type implements, by the name GGUF's `tokenizer.ggml.pre` gives them.
    public enum Pattern: String, Sendable, Hashable, CaseIterable {
        case gpt2, qwen2, llama3

        /// The regex as Hugging Face `tokenizer.json` spells it in a `Split` pre-tokenizer.
        public var regex: String {
            let tail = #"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
            switch self {
            case .gpt2: return #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
            case .qwen2: return #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"# + tail
            case .llama3: return #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"# + tail
            }
        }
    }

    public init(individualDigits: Bool, pattern: Pattern = .gpt2, normalizesNFC: Bool = false) {
        self.individualDigits = individualDigits
        self.pattern = pattern
        self.normalizesNFC = normalizesNFC
    }

    /// Qwen2/Qwen2.5/Qwen3's pre-tokenizer.
    public static let qwen2 = PreTokenizer(individualDigits: false, pattern: .qwen2, normalizesNFC: true)

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
        } else if pattern == .gpt2 {
            regexSplit(scalars, 0..<scalars.count, into: &out)
        } else {
            llama3Split(scalars, 0..<scalars.count, maxDigits: pattern == .qwen2 ? 1 : 3, into: &out)
        }
        return out
    }

    @inline(__always)
    static func isNewline(_ s: Unicode.Scalar) -> Bool { s == "\n" || s == "\r" }

    /// The Qwen2 / Llama 3 regex, alternative by alternative in the regex's order (the first that
    /// matches at a position wins, as in the Rust engine's leftmost-first semantics).
    private func llama3Split(_ s: [Unicode.Scalar], _ range: Range<Int>, maxDigits: Int, into out: inout [Range<Int>]) {
        let end = range.upperBound
        var i = range.lowerBound
        func run(from j: Int, _ k: Kind) -> Int {
            var j = j
            while j < end && Self.kind(s[j]) == k { j += 1 }
            return j
        }
        func lower(_ c: Unicode.Scalar) -> Unicode.Scalar {
            c.value >= 0x41 && c.value <= 0x5A ? Unicode.Scalar(c.value + 0x20)! : c
        }
        while i < end {
            let c = s[i]
            // (?i:'s|'t|'re|'ve|'m|'ll|'d)
            if c == "'" && i + 1 < end {
                let a = lower(s[i + 1])
                if a == "s" || a == "t" || a == "m" || a == "d" { out.append(i..<i + 2); i += 2; continue }
                if i + 2 < end {
                    let b = lower(s[i + 2])
                    if (a == "r" && b == "e") || (a == "v" && b == "e") || (a == "l" && b == "l") { out.append(i..<i + 3); i += 3; continue }
                }
            }
            let k = Self.kind(c)
            // [^\r\n\p{L}\p{N}]?\p{L}+
            if k == .letter { let e = run(from: i, .letter); out.append(i..<e); i = e; continue }
            if k != .number && !Self.isNewline(c) && i + 1 < end && Self.kind(s[i + 1]) == .letter {
                let e = run(from: i + 1, .letter); out.append(i..<e); i = e; continue
            }
            // \p{N} or \p{N}{1,3}
            if k == .number {
                var e = i + 1
                while e < end && e - i < maxDigits && Self.kind(s[e]) == .number { e += 1 }
                out.append(i..<e); i = e; continue
            }
            //  ?[^\s\p{L}\p{N}]+[\r\n]*
            let j = (c == " " && i + 1 < end) ? i + 1 : i
            if Self.kind(s[j]) == .other {
                var e = run(from: j, .other)
                while e < end && Self.isNewline(s[e]) { e += 1 }
                out.append(i..<e); i = e; continue
            }
            // Whitespace (the only kind left at i): \s*[\r\n]+ ends at the run's last newline.
            let e = run(from: i, .space)
            if let last = (i..<e).last(where: { Self.isNewline(s[$0]) }) {
                out.append(i..<last + 1); i = last + 1; continue
            }
            // \s+(?!\S) leaves the run's last space to the next piece when a non-space follows; \s+.
            if e == end || e - i == 1 { out.append(i..<e); i = e } else { out.append(i..<e - 1); i = e - 1 }
        }
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
