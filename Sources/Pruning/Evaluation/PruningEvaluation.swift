import Foundation
import LlamaModel
import Trainer

/// Held-out quality of a (pruned) model with the trainer's forward: perplexity on plain text and mean
/// next-token loss on demonstration targets.
public enum PruningEvaluation {
    /// Splits token ids into consecutive segments of at most `length` (each at least 2 tokens).
    public static func segments(_ ids: [Int], length: Int, limit: Int = .max) -> [[Int]] {
        var out: [[Int]] = []
        var i = 0
        while i + 1 < ids.count, out.count < limit {
            out.append(Array(ids[i ..< min(ids.count, i + length)]))
            i += length
        }
        return out
    }

    /// exp(mean next-token loss) over every position of every segment.
    public static func perplexity(_ weights: LlamaWeights, segments: [[Int]]) throws -> Double {
        let model = try TrainableLlama(weights: weights)
        var sum = 0.0, count = 0
        for s in segments where s.count >= 2 {
            let tokens = s.map { Int32($0) }
            let targets = (0..<s.count).map { $0 + 1 < s.count ? tokens[$0 + 1] : -1 }
            let r = model.step(TokenBatch(batch: 1, seq: s.count, tokens: tokens, targets: targets), gradientScale: nil)
            sum += r.lossSum; count += r.count
        }
        guard count > 0 else { throw PruningError.invalidInput("no held-out text to score") }
        return exp(sum / Double(count))
    }

    /// Mean loss per assistant target token over the examples.
    public static func demonstrationLoss(_ weights: LlamaWeights, examples: [TrainingExample], sequenceLength: Int) throws -> Double {
        let model = try TrainableLlama(weights: weights)
        return try demonstrationLoss(model, examples: examples, sequenceLength: sequenceLength)
    }

    public static func demonstrationLoss(_ model: TrainableLlama, examples: [TrainingExample], sequenceLength: Int) throws -> Double {
        var sum = 0.0, count = 0
        for e in examples {
            guard let batch = DomainGradients.singleRowBatch(e, sequenceLength: sequenceLength) else { continue }
            let r = model.step(batch, gradientScale: nil)
            sum += r.lossSum; count += r.count
        }
        guard count > 0 else { throw PruningError.invalidInput("no held-out demonstrations with targets") }
        return sum / Double(count)
    }
}
