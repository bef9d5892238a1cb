import Foundation
import LlamaModel
import Trainer

/// One pruning run: score with a method, build the pattern's mask, zero (or, for FFN channels, gather)
/// the weights. Calibration inputs are what the method needs: open-domain token segments for Wanda and
/// D-Pruner's general importance, demonstrations for D-Pruner's domain score.
public struct Pruner {
    public var method: PruningMethod
    public var builder: MaskBuilder
    public var dpruner = DPrunerImportance()
    public var sequenceLength = 512

    public init(method: PruningMethod, pattern: PruningPattern, sparsity: Double, channelMultiple: Int = 32) {
        self.method = method
        builder = MaskBuilder(pattern: pattern, sparsity: sparsity, withinRows: method.comparesWithinRows && pattern == .unstructured,
                              channelMultiple: channelMultiple)
    }

    public struct Result {
        /// The pruned model: zeroed weights, or smaller FFN matrices for `ffnChannels`.
        public var weights: LlamaWeights
        public var mask: PruningMask
        public var dprunerDiagnostics: DPrunerImportance.Diagnostics?
    }

    public func scores(_ weights: LlamaWeights, general: [[Int]], domain: [TrainingExample])
        throws -> (ImportanceScores, DPrunerImportance.Diagnostics?) {
        switch method {
        case .magnitude:
            return (try MagnitudeImportance.scores(weights), nil)
        case .wanda, .dpruner:
            let calibration = CalibrationForward(weights: weights, maxPositions: max(sequenceLength, general.map(\.count).max() ?? 1))
            for segment in general { try calibration.run(segment) }
            if method == .wanda { return (try WandaImportance.scores(weights, calibration: calibration), nil) }
            let g = try DPrunerImportance.generalImportance(weights, calibration: calibration)
            let (s, d) = try dpruner.scores(weights, general: g, domain: domain, sequenceLength: sequenceLength)
            return (s, d)
        }
    }

    public func prune(_ weights: LlamaWeights, general: [[Int]] = [], domain: [TrainingExample] = []) throws -> Result {
        let (scores, diagnostics) = try scores(weights, general: general, domain: domain)
        let mask = try builder.build(scores, config: weights.config)
        let pruned = try mask.keptChannels.map { try ChannelGather.gather(weights, keptChannels: $0) } ?? mask.applied(to: weights)
        return Result(weights: pruned, mask: mask, dprunerDiagnostics: diagnostics)
    }
}
