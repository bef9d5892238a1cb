import Foundation

/// What happens at a checkpoint (every `labelInterval` actions).
public enum CheckpointDecision: Sendable, Hashable {
    case accept
    case prune(PruneReason, detail: String)

    public var isAccepted: Bool { self == .accept }
}

public enum PruneReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// The labeler gave no usable instruction (missing tag, n/a, thought text, junk).
    case labelUnusable = "label_unusable"
    /// The judge's answer had no readable 1-5 score; the raw text is kept with the checkpoint.
    case judgeUnparseable = "judge_unparseable"
    /// The judge scored below the threshold.
    case lowScore = "low_score"
    /// The instruction is not different from the previous accepted one: nothing new was accomplished.
    case notNovel = "not_novel"
    /// The instruction is not explained by the trajectory (Pipeline/Quality/ContrastiveConsistency).
    case inconsistent
}

/// NNetnav's hierarchical pruning: a long meaningful trajectory must have meaningful prefixes.
public struct PruningRule: Sendable, Hashable {
    public var threshold: Double
    public var noveltyJaccard: Double

    public init(threshold: Double = 4, noveltyJaccard: Double = 0.8) {
        self.threshold = threshold
        self.noveltyJaccard = noveltyJaccard
    }

    public init(_ config: ExplorationConfig) {
        self.init(threshold: config.judgeThreshold, noveltyJaccard: config.noveltyJaccard)
    }

    /// Decides from the label alone: an unusable label or a repeated instruction prunes without a judge call.
    public func screen(label: ModuleOutputParsing.Label, previousAccepted: String?) -> CheckpointDecision? {
        guard let instruction = label.instruction else {
            if case .unusable(let reason) = label { return .prune(.labelUnusable, detail: reason) }
            return .prune(.labelUnusable, detail: "no instruction")
        }
        if let previous = previousAccepted {
            let similarity = TextMeasures.jaccard(instruction, previous)
            if TextMeasures.normalized(instruction) == TextMeasures.normalized(previous) || similarity >= noveltyJaccard {
                return .prune(.notNovel, detail: String(format: "same as previous sub-task \"%@\" (Jaccard %.2f)",
                                                        previous, similarity))
            }
        }
        return nil
    }

    /// The full decision, given the judge's parsed answer.
    public func decide(label: ModuleOutputParsing.Label, score: ModuleOutputParsing.Score,
                       previousAccepted: String?) -> CheckpointDecision {
        if let early = screen(label: label, previousAccepted: previousAccepted) { return early }
        switch score {
        case .unparseable(let reason):
            return .prune(.judgeUnparseable, detail: reason)
        case .score(let value) where value < threshold:
            return .prune(.lowScore, detail: String(format: "score %g < %g", value, threshold))
        case .score:
            return .accept
        }
    }
}
