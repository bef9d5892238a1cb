import Foundation
import LlamaModel
import Trainer

/// Per-demonstration gradients of the next-token loss (assistant tokens only, mean over them) with the
/// trainer's own backward, one row at a time at the given weights (never updated).
public enum DomainGradients {
    /// Calls `body` once per example with a lookup from prunable-matrix name to its gradient.
    public static func forEachRow(weights: LlamaWeights, examples: [TrainingExample], sequenceLength: Int,
                                  body: ((String) -> UnsafeBufferPointer<Float>) throws -> Void) throws {
        let model = try TrainableLlama(weights: weights)
        guard let gradients = model.gradients else { return }
        var offsets: [String: (Int, Int)] = [:]
        for m in weights.config.prunableMatrices {
            guard let slot = model.layout.slot(named: m.name) else { throw PruningError.invalidInput("no parameter \(m.name)") }
            offsets[m.name] = (slot.offset, slot.count)
        }
        for example in examples {
            guard let batch = singleRowBatch(example, sequenceLength: sequenceLength) else { continue }
            model.zeroGradients()
            model.step(batch, gradientScale: 1 / Float(batch.targetCount))
            try body { name in
                let (offset, count) = offsets[name]!
                return UnsafeBufferPointer(start: gradients.pointer + offset, count: count)
            }
        }
    }

    /// One example as a batch of one sequence (truncated like the trainer does); nil when it has no target.
    public static func singleRowBatch(_ example: TrainingExample, sequenceLength: Int) -> TokenBatch? {
        let fitted = example.truncated(to: sequenceLength)
        let n = fitted.ids.count
        guard n >= 2 else { return nil }
        var targets = [Int32](repeating: -1, count: n)
        for t in 0..<(n - 1) where fitted.targetMask[t + 1] { targets[t] = fitted.ids[t + 1] }
        let batch = TokenBatch(batch: 1, seq: n, tokens: fitted.ids, targets: targets)
        return batch.targetCount > 0 ? batch : nil
    }
}
