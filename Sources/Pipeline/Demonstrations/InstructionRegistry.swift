import Foundation

/// The instructions already kept by the crawl: exact duplicates (normalized text) and, optionally,
/// near-duplicates (token Jaccard) are refused. Claims are atomic across concurrent episodes; an
/// episode that fails releases its claims so a resumed run can make them again.
public actor InstructionRegistry {
    private var normalized: Set<String> = []
    private var kept: [String] = []
    public let nearDuplicateJaccard: Double?

    public init(existing: [String] = [], nearDuplicateJaccard: Double?) {
        self.nearDuplicateJaccard = nearDuplicateJaccard
        for instruction in existing { normalized.insert(TextMeasures.normalized(instruction)); kept.append(instruction) }
    }

    /// Why `instruction` would be refused, or nil when it is new.
    public func duplicateReason(_ instruction: String) -> String? {
        let key = TextMeasures.normalized(instruction)
        if normalized.contains(key) { return "exact duplicate" }
        if let threshold = nearDuplicateJaccard,
           let match = kept.first(where: { TextMeasures.jaccard($0, instruction) >= threshold }) {
            return "near duplicate of \"\(match)\""
        }
        return nil
    }

    /// Claims the instruction when it is new (nil); otherwise why it is refused. One actor call, so
    /// two concurrent episodes with the same instruction always get the same reason, whichever is first.
    public func claim(_ instruction: String) -> String? {
        if let reason = duplicateReason(instruction) { return reason }
        normalized.insert(TextMeasures.normalized(instruction))
        kept.append(instruction)
        return nil
    }

    public func release(_ instruction: String) {
        let key = TextMeasures.normalized(instruction)
        normalized.remove(key)
        kept.removeAll { TextMeasures.normalized($0) == key }
    }
}
