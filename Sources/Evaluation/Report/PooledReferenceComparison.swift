import Foundation

/// Teacher-forced comparisons repeated over several training seeds. Run i's "after" evaluation is
/// paired with run i's "before" (or with the one "before" every run shares, e.g. an untrained base);
/// every step's pair of log-probabilities is clustered by its task, so a task's difference is the
/// mean over its steps and all seeds and the 95% interval is over tasks. A seed is not an independent
/// sample of the tasks, so pooling seeds narrows the interval only as far as it removes training noise.
public struct PooledReferenceComparison: Sendable {
    public var beforeLabel: String
    public var afterLabel: String
    /// One comparison per run, as `eval --compare` prints it.
    public var runs: [ReferenceStepComparison]
    public var logProbability: PairedMeanDifference?
    public var logProbabilityWithoutScrolls: PairedMeanDifference?

    /// `runs[i]`: run i's episodes before and after, as their journals hold them.
    public init?(beforeLabel: String, afterLabel: String, runs: [(before: [TaskEpisode], after: [TaskEpisode])]) {
        self.beforeLabel = beforeLabel
        self.afterLabel = afterLabel
        var comparisons: [ReferenceStepComparison] = []
        var scores: [(cluster: String, a: Double, b: Double)] = []
        var withoutScrolls: [(cluster: String, a: Double, b: Double)] = []
        for run in runs {
            let pairs = Self.pairedByKey(before: run.before, after: run.after)
            guard let comparison = ReferenceStepComparison(beforeLabel: beforeLabel, afterLabel: afterLabel, pairs: pairs) else { continue }
            comparisons.append(comparison)
            let steps = ReferenceStepComparison.stepPairs(pairs)
            scores += steps.scores
            withoutScrolls += steps.withoutScrolls
        }
        guard !comparisons.isEmpty else { return nil }
        self.runs = comparisons
        (logProbability, logProbabilityWithoutScrolls) = ReferenceStepComparison.logProbabilityDifferences(
            beforeLabel: beforeLabel, afterLabel: afterLabel, scores: scores, withoutScrolls: withoutScrolls,
            qualifier: ", \(comparisons.count) runs pooled by task")
    }

    /// Each task's first episode on both sides, by key (task and seed), as `EvaluationComparison` pairs them.
    static func pairedByKey(before: [TaskEpisode], after: [TaskEpisode]) -> [(key: String, before: TaskEpisode, after: TaskEpisode)] {
        EvaluationComparison.pairedIndices(before: before, after: after).map { i, j in
            (EvaluationComparison.key(before[i]), before[i], after[j])
        }
    }

    /// Reads the evaluation folders: `before` holds one folder for every run, or one per run (nil otherwise,
    /// or when no run was teacher-forced).
    public static func load(before: [URL], after: [URL]) throws -> PooledReferenceComparison? {
        guard !after.isEmpty, before.count == 1 || before.count == after.count else { return nil }
        func episodes(_ directory: URL) throws -> [TaskEpisode] {
            let list = try EvaluationJournal.readEpisodes(in: directory)
            guard !list.isEmpty else { throw EvaluationJournalError.notAnEvaluation(directory: directory.path) }
            return list
        }
        func label(_ directory: URL) -> String { (try? EvaluationJournal.settings(in: directory).label) ?? directory.lastPathComponent }
        let runs = try after.enumerated().map { i, folder in (try episodes(before.count == 1 ? before[0] : before[i]), try episodes(folder)) }
        return PooledReferenceComparison(beforeLabel: label(before[0]), afterLabel: label(after[0]), runs: runs)
    }

    /// One line per run, then the pooled differences.
    public var lines: [String] {
        runs.enumerated().flatMap { i, run in
            ["run \(i + 1): " + run.matched.text] + [run.logProbability, run.logProbabilityWithoutScrolls].compactMap { $0.map { "run \(i + 1): " + $0.text } }
        } + [logProbability, logProbabilityWithoutScrolls].compactMap { $0?.text }
    }
}
