import Foundation
import LlamaModel
import Trainer

/// How much a pruned model degraded on one demonstration, against the dense model: mean Jensen–Shannon
/// divergence of the next-token distributions over the assistant-target positions (PASER's measure, here
/// on the target rather than the instruction), and the loss difference on those positions.
public struct DegradationMeter {
    public let dense: LlamaEngine
    public let pruned: LlamaEngine
    public let sequenceLength: Int

    public init(dense: LlamaWeights, pruned: LlamaWeights, sequenceLength: Int) throws {
        guard dense.config.vocabSize == pruned.config.vocabSize else {
            throw PruningError.invalidInput("dense and pruned models have different vocabularies")
        }
        self.dense = try LlamaEngine(weights: dense, maxContext: sequenceLength, decodeWeights: .fp32, cacheSlots: 1)
        self.pruned = try LlamaEngine(weights: pruned, maxContext: sequenceLength, decodeWeights: .fp32, cacheSlots: 1)
        self.sequenceLength = sequenceLength
    }

    public struct Measure: Sendable, Codable {
        public var jsd: Double
        public var lossIncrease: Double
        public var tokens: Int
    }

    public func measure(_ example: TrainingExample) throws -> Measure? {
        let fitted = example.truncated(to: sequenceLength)
        let ids = fitted.ids.map { Int($0) }
        let positions = (0..<(ids.count - 1)).filter { fitted.targetMask[$0 + 1] }
        guard !positions.isEmpty else { return nil }
        // Only the target positions need the 49k-wide output head: the prompt before them runs
        // without logits (for a 1,024-token row with a 40-token answer, 4% of the head's work).
        let first = positions[0]
        func logits(_ engine: LlamaEngine) throws -> [Float] {
            engine.reset()
            if first > 0 { try engine.append(Array(ids[..<first]), logits: .none) }
            return try engine.append(Array(ids[first...]), logits: .all)
        }
        let a = try logits(dense), b = try logits(pruned)
        let v = dense.config.vocabSize
        var jsd = 0.0, loss = 0.0
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                for t in positions {
                    let r = t - first
                    let ra = UnsafeBufferPointer(rebasing: pa[r * v ..< (r + 1) * v]), rb = UnsafeBufferPointer(rebasing: pb[r * v ..< (r + 1) * v])
                    jsd += JensenShannon.divergence(ra, rb)
                    loss += Self.negativeLogLikelihood(rb, ids[t + 1]) - Self.negativeLogLikelihood(ra, ids[t + 1])
                }
            }
        }
        let n = Double(positions.count)
        return Measure(jsd: jsd / n, lossIncrease: loss / n, tokens: ids.count)
    }

    static func negativeLogLikelihood(_ logits: UnsafeBufferPointer<Float>, _ target: Int) -> Double {
        let m = Double(logits.max() ?? 0)
        let s = logits.reduce(0.0) { $0 + exp(Double($1) - m) }
        return -(Double(logits[target]) - m - log(s))
    }
}
