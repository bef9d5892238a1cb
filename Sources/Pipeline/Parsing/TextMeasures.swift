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

    /// Keeps the head of `text` within `maxTokens` (estimated), cutting at a line boundary and marking the cut.
    public static func truncate(_ text: String, maxTokens: Int) -> String {
        guard estimatedTokens(text) > maxTokens else { return text }
        let budget = max(0, maxTokens * 4 - 40)
        var head = String(text.prefix(budget))
        // Cut at the last full line when that keeps most of the budget.
        if let newline = head.lastIndex(of: "\n"), head.distance(from: head.startIndex, to: newline) > head.count / 2 {
            head = String(head[..<newline])
        }
        return head + "\n[... page truncated ...]"
    }

    /// Stable 64-bit FNV-1a hash; seeds deterministic choices (personas, splits, sampling seeds).
    public static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}
