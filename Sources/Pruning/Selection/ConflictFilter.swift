import Foundation

/// PASER's conflict filter for web demonstrations: two rows conflict when their prompts (objective, page
/// and history) are near-duplicates — word-set Jaccard ≥ `threshold` — but their target actions differ.
/// Teaching both would pull the pruned model two ways on the same input; the later (lower-ranked) one is
/// dropped. Rows with the same action, or with different prompts, never conflict.
public struct ConflictFilter {
    public var threshold = 0.9
    private var accepted: [(words: Set<Substring>, action: String)] = []

    public init(threshold: Double = 0.9) { self.threshold = threshold }

    public static func words(_ text: String) -> Set<Substring> {
        Set(text.lowercased().split { !$0.isLetter && !$0.isNumber })
    }

    public static func jaccard(_ a: Set<Substring>, _ b: Set<Substring>) -> Double {
        let union = a.union(b).count
        return union == 0 ? 1 : Double(a.intersection(b).count) / Double(union)
    }

    /// Accepts the row (and remembers it) unless it conflicts with one accepted before.
    public mutating func accept(prompt: String, action: String) -> Bool {
        let w = Self.words(prompt)
        for other in accepted where other.action != action && Self.jaccard(w, other.words) >= threshold { return false }
        accepted.append((w, action))
        return true
    }
}
