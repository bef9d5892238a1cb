import Foundation

/// One tokenized demonstration: token ids and, per token, whether it is an assistant target.
public struct TrainingExample: Sendable, Hashable, Codable {
    public var ids: [Int32]
    public var targetMask: [Bool]
    /// Tokens of the leading system turn, which truncation never cuts (0: unknown).
    public var systemLength: Int
    /// Multiplies the loss of every target token of this example (`TrainingOptions.actionWeights`).
    public var weight: Float

    public init(ids: [Int32], targetMask: [Bool], systemLength: Int = 0, weight: Float = 1) {
        precondition(ids.count == targetMask.count)
        self.ids = ids
        self.targetMask = targetMask
        self.systemLength = systemLength
        self.weight = weight
    }

    public var targetCount: Int { targetMask.reduce(0) { $0 + ($1 ? 1 : 0) } }

    /// Fits the example into `maxLength` tokens without losing the assistant target: the prompt
    /// loses tokens from its middle (keeping its head, the system prompt's start, and its tail,
    /// the latest observation and the generation prompt); only a target longer than the whole
    /// budget is itself cut at its end.
    public func truncated(to maxLength: Int) -> TrainingExample {
        guard ids.count > maxLength else { return self }
        if systemLength > 0, let fitted = fitted(to: maxLength) { return fitted }
        let firstTarget = targetMask.firstIndex(of: true) ?? ids.count
        let targetLength = ids.count - firstTarget
        let minPrompt = min(firstTarget, max(8, maxLength / 8))
        if targetLength >= maxLength - minPrompt {
            // Target dominates: keep the prompt tail that leads into it, and cut the target's end.
            let keepPrompt = min(firstTarget, minPrompt)
            let start = firstTarget - keepPrompt
            let end = start + maxLength
            return TrainingExample(ids: Array(ids[start..<end]), targetMask: Array(targetMask[start..<end]), weight: weight)
        }
        let promptBudget = maxLength - targetLength
        let head = min(promptBudget / 4, 64)
        let tail = promptBudget - head
        let keep = Array(0..<head) + Array((firstTarget - tail)..<ids.count)
        return TrainingExample(ids: keep.map { ids[$0] }, targetMask: keep.map { targetMask[$0] }, weight: weight)
    }
}

extension TrainingExample {
    /// Fits the example into `maxLength` tokens cutting only the middle of the prompt (the end of
    /// the page): the system turn and the assistant target stay whole, as does the prompt's tail
    /// (URL, objective, previous actions). Nil when the system turn and target alone do not fit.
    public func fitted(to maxLength: Int) -> TrainingExample? {
        guard ids.count > maxLength else { return self }
        let firstTarget = targetMask.firstIndex(of: true) ?? ids.count
        let head = min(systemLength, firstTarget)
        let tail = maxLength - head - (ids.count - firstTarget)
        guard tail >= 8, firstTarget - tail >= head else { return nil }
        let keep = Array(0..<head) + Array((firstTarget - tail)..<ids.count)
        return TrainingExample(ids: keep.map { ids[$0] }, targetMask: keep.map { targetMask[$0] }, systemLength: head,
                               weight: weight)
    }
}

/// Packs examples into fixed-length rows. Each example keeps its own positions (restarting at 0)
/// and the attention is masked at document boundaries (`docStart`), so packing changes nothing
/// about what each example's loss sees; it only removes padding.
public struct PackedRow: Sendable, Hashable, Codable {
    public var tokens: [Int32]
    public var targets: [Int32]
    public var positions: [Int32]
    public var docStart: [Int32]
    /// Loss weight of each position's target (its example's `weight`); nil when every weight is 1.
    public var targetWeights: [Float]? = nil
}

public enum SequencePacker {
    /// Greedy in-order packing: an example goes into the current row if it fits, else a new row starts.
    /// Examples longer than `seq` are truncated first (see `TrainingExample.truncated`).
    public static func pack(_ examples: [TrainingExample], seq: Int, padToken: Int32 = 0) -> [PackedRow] {
        packReporting(examples, seq: seq, padToken: padToken).rows
    }

    /// `pack`, also counting the examples left out: those whose system turn and target alone
    /// exceed `seq` (they are never cut; re-export with a row budget of at most `seq`).
    public static func packReporting(_ examples: [TrainingExample], seq: Int,
                                     padToken: Int32 = 0) -> (rows: [PackedRow], skipped: Int) {
        var skipped = 0
        var rows: [PackedRow] = []
        var current = PackedRow(tokens: [], targets: [], positions: [], docStart: [])
        var weights: [Float] = []
        func flush() {
            guard !current.tokens.isEmpty else { return }
            let start = Int32(current.tokens.count)
            while current.tokens.count < seq {
                current.positions.append(Int32(current.tokens.count) - start)
                current.tokens.append(padToken)
                current.targets.append(-1)
                current.docStart.append(start)
                weights.append(0)
            }
            // Unweighted rows stay exactly what they were (and fingerprint the same).
            if zip(current.targets, weights).contains(where: { $0 >= 0 && $1 != 1 }) { current.targetWeights = weights }
            rows.append(current)
            current = PackedRow(tokens: [], targets: [], positions: [], docStart: [])
            weights = []
        }
        for raw in examples {
            if raw.systemLength > 0 && raw.ids.count > seq && raw.fitted(to: seq) == nil { skipped += 1; continue }
            let ex = raw.truncated(to: seq)
            guard ex.targetCount > 0 else { continue }
            if current.tokens.count + ex.ids.count > seq { flush() }
            let start = Int32(current.tokens.count)
            for i in 0..<ex.ids.count {
                current.tokens.append(ex.ids[i])
                // Position i predicts token i+1 when that token is an assistant target.
                let next = i + 1 < ex.ids.count && ex.targetMask[i + 1] ? ex.ids[i + 1] : -1
                current.targets.append(next)
                weights.append(next >= 0 ? ex.weight : 0)
                current.positions.append(Int32(i))
                current.docStart.append(start)
            }
        }
        flush()
        return (rows, skipped)
    }

    /// Stacks rows into a micro-batch.
    public static func batch(_ rows: [PackedRow], seq: Int) -> TokenBatch {
        var batch = TokenBatch(batch: rows.count, seq: seq, tokens: rows.flatMap(\.tokens), targets: rows.flatMap(\.targets),
                               positions: rows.flatMap(\.positions), docStart: rows.flatMap(\.docStart))
        if rows.contains(where: { $0.targetWeights != nil }) {
            batch.targetWeights = rows.flatMap { row in
                row.targetWeights ?? row.targets.map { $0 >= 0 ? 1 : 0 }
            }
        }
        return batch
    }
}
