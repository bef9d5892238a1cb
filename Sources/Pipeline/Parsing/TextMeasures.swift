import Foundation

/// Cheap text measures used for deduplication, novelty and truncation.
public enum TextMeasures {
    /// Lowercased words of letters and digits, for comparing instructions.
    public static func tokens(_ text: String) -> [String] {
        text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
    }

    /// The dedup key: lowercased words joined by single spaces (punctuation and spacing ignored).
    public static func normalized(_ text: String) -> String { tokens(text).joined(separator: " ") }

    /// Jaccard similarity of the two texts' word sets (1 for two empty texts).
    public static func jaccard(_ a: String, _ b: String) -> Double {
        let sa = Set(tokens(a)), sb = Set(tokens(b))
        if sa.isEmpty && sb.isEmpty { return 1 }
        return Double(sa.intersection(sb).count) / Double(sa.union(sb).count)
    }

    /// Token estimate for Llama-family BPE on English and accessibility trees: about 4 characters per token,
    /// rounded up. Conservative enough for truncation budgets; exact counts belong to the trainer's tokenizer.
    public static func estimatedTokens(_ text: String) -> Int { (text.utf8.count + 3) / 4 }

    public static let truncationMarker = "\n[... page truncated ...]"

    /// Keeps the head of `text` within `maxTokens` (estimated), cutting at a line boundary and marking the cut.
    public static func truncate(_ text: String, maxTokens: Int) -> String {
        truncate(text, maxTokens: maxTokens, counter: .estimate)
    }

    /// The longest head of `text` (cut at a line boundary when that keeps most of it) that, with the
    /// truncation marker, counts at most `maxTokens` by `counter`. The budget holds for any text:
    /// the cut is searched in characters and checked by the counter, never assumed from a ratio.
    public static func truncate(_ text: String, maxTokens: Int, counter: TokenCounter) -> String {
        guard counter.count(text) > maxTokens else { return text }
        let characters = Array(text)
        func head(_ length: Int) -> String {
            var head = String(characters[0..<length])
            if let newline = head.lastIndex(of: "\n"), head.distance(from: head.startIndex, to: newline) > length / 2 {
                head = String(head[..<newline])
            }
            return head + truncationMarker
        }
        // Largest length whose head fits (counts grow with the length, up to a line cut's jitter).
        var low = 0, high = characters.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if counter.count(head(mid)) <= maxTokens { low = mid } else { high = mid - 1 }
        }
        var length = low
        while length > 0 && counter.count(head(length)) > maxTokens { length = length * 15 / 16 }
        return head(length)
    }

    /// Stable 64-bit FNV-1a hash; seeds deterministic choices (personas, splits, sampling seeds).
    public static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}
