import Foundation

/// Two teacher-forced evaluations (`--follow-reference`) of the same tasks: the reference steps both
/// were asked at, paired by task and step (the solution drives the browser, so the states are the
/// same), compared on Mind2Web's step match (McNemar) and on the log-probability each policy's
/// choice gave the reference, clustered by task. This is what separates two policies that both
/// solve no task, e.g. a model and its pruned copy.
public struct ReferenceStepComparison: Sendable {
    /// Steps both runs were asked at, with the same reference action.
    public var steps: Int
    public var matched: PairedComparison
    /// All steps, and all but the scrolls (which a policy that always scrolls matches); nil when
    /// neither run scored its candidates.
    public var logProbability: PairedMeanDifference?
    public var logProbabilityWithoutScrolls: PairedMeanDifference?

    /// `pairs`: each task's episode before and after (already paired by key). Nil when no step of
    /// either run was teacher-forced.
    public init?(beforeLabel: String, afterLabel: String, pairs: [(key: String, before: TaskEpisode, after: TaskEpisode)]) {
        let (outcomes, scores, scoresWithoutScrolls) = Self.stepPairs(pairs)
        guard !outcomes.isEmpty else { return nil }
        steps = outcomes.count
        matched = PairedComparison(a: beforeLabel, b: afterLabel, outcomes: outcomes)
        (logProbability, logProbabilityWithoutScrolls) = Self.logProbabilityDifferences(
            beforeLabel: beforeLabel, afterLabel: afterLabel, scores: scores, withoutScrolls: scoresWithoutScrolls)
    }

    /// The paired differences of log P(reference), over all steps and over all but scrolls (nil when a
    /// side has no step); `qualifier` ends both labels (e.g. how many runs were pooled).
    static func logProbabilityDifferences(beforeLabel: String, afterLabel: String,
                                          scores: [(cluster: String, a: Double, b: Double)],
                                          withoutScrolls: [(cluster: String, a: Double, b: Double)],
                                          qualifier: String = "") -> (PairedMeanDifference?, PairedMeanDifference?) {
        func difference(_ label: String, _ pairs: [(cluster: String, a: Double, b: Double)]) -> PairedMeanDifference? {
            pairs.isEmpty ? nil : PairedMeanDifference(a: beforeLabel, b: afterLabel, label: label + qualifier, pairs: pairs)
        }
        return (difference("log-probability of the reference", scores),
                difference("log-probability of the reference, scrolls excluded", withoutScrolls))
    }

    /// The reference steps both episodes of each pair were asked at: match outcomes, and the
    /// log-probabilities (all steps, and all but scrolls) clustered by the pair's key.
    static func stepPairs(_ pairs: [(key: String, before: TaskEpisode, after: TaskEpisode)])
        -> (outcomes: [(Bool, Bool)], scores: [(cluster: String, a: Double, b: Double)],
            withoutScrolls: [(cluster: String, a: Double, b: Double)]) {
        var outcomes: [(Bool, Bool)] = []
        var scores: [(cluster: String, a: Double, b: Double)] = []
        var scoresWithoutScrolls: [(cluster: String, a: Double, b: Double)] = []
        for pair in pairs {
            for (b, a) in zip(pair.before.steps, pair.after.steps) {
                guard let reference = b.referenceAction, reference == a.referenceAction,
                      let matchedBefore = b.matchesReference, let matchedAfter = a.matchesReference else { continue }
                outcomes.append((matchedBefore, matchedAfter))
                guard let before = b.referenceLogProbability, let after = a.referenceLogProbability else { continue }
                scores.append((pair.key, before, after))
                if !reference.hasPrefix("scroll") { scoresWithoutScrolls.append((pair.key, before, after)) }
            }
        }
        return (outcomes, scores, scoresWithoutScrolls)
    }

    /// Lines for the terminal and the comparison page.
    public var lines: [String] {
        ["reference steps matched (teacher-forced, \(steps) paired steps): " + matched.text]
            + [logProbability, logProbabilityWithoutScrolls].compactMap { $0?.text }
    }
}
