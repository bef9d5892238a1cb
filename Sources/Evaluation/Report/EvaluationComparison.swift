import Foundation
import NNetnavSupport

/// Two evaluations of the same tasks (a policy before and after training): each one's success rate
/// with its interval, the tasks both ran paired by their key (task and seed) into the 2×2 table of
/// `PairedComparison`, and the tasks whose outcome flipped. Tasks only one side ran are counted,
/// not compared.
public struct EvaluationComparison: Sendable {
    public struct Flip: Sendable {
        public var key: String
        public var before: TaskEpisode
        public var after: TaskEpisode
        public var beforePage: String
        public var afterPage: String
    }

    public var beforeLabel: String
    public var afterLabel: String
    /// Over every episode of each evaluation.
    public var beforeRate: SuccessRate
    public var afterRate: SuccessRate
    /// Over the paired tasks only, so the two are comparable.
    public var pairedBefore: SuccessRate
    public var pairedAfter: SuccessRate
    public var paired: PairedComparison
    /// Failed before, succeeded after.
    public var fixed: [Flip]
    /// Succeeded before, failed after.
    public var broken: [Flip]
    public var onlyBefore: Int
    public var onlyAfter: Int
    /// Per site: the paired tasks' rates before and after.
    public var bySite: [String: (before: SuccessRate, after: SuccessRate)]
    /// When both runs were teacher-forced: their reference steps compared.
    public var referenceSteps: ReferenceStepComparison?

    /// `before` and `after` as their reports list them (the order `HTMLReport.pageNames` names pages by).
    public init(beforeLabel: String, before: [TaskEpisode], afterLabel: String, after: [TaskEpisode]) {
        self.beforeLabel = beforeLabel
        self.afterLabel = afterLabel
        func rate(_ list: [TaskEpisode]) -> SuccessRate { SuccessRate(passed: list.filter(\.succeeded).count, total: list.count) }
        beforeRate = rate(before)
        afterRate = rate(after)
        let beforePages = HTMLReport.pageNames(for: before), afterPages = HTMLReport.pageNames(for: after)
        let pairs = Self.pairedIndices(before: before, after: after)
        let pairedBeforeEpisodes = pairs.map { before[$0.0] }, pairedAfterEpisodes = pairs.map { after[$0.1] }
        pairedBefore = rate(pairedBeforeEpisodes)
        pairedAfter = rate(pairedAfterEpisodes)
        paired = PairedComparison(a: beforeLabel, b: afterLabel, outcomes: pairs.map { (before[$0.0].succeeded, after[$0.1].succeeded) })
        let flips = pairs.filter { before[$0.0].succeeded != after[$0.1].succeeded }.map { i, j in
            Flip(key: Self.key(before[i]), before: before[i], after: after[j], beforePage: beforePages[i], afterPage: afterPages[j])
        }
        fixed = flips.filter { $0.after.succeeded }
        broken = flips.filter { $0.before.succeeded }
        onlyBefore = before.count - pairs.count
        onlyAfter = after.count - pairs.count
        var sites: [String: (before: SuccessRate, after: SuccessRate)] = [:]
        for (b, a) in zip(pairedBeforeEpisodes, pairedAfterEpisodes) {
            let current = sites[b.site] ?? (SuccessRate(passed: 0, total: 0), SuccessRate(passed: 0, total: 0))
            sites[b.site] = (current.before + SuccessRate(passed: b.succeeded ? 1 : 0, total: 1),
                             current.after + SuccessRate(passed: a.succeeded ? 1 : 0, total: 1))
        }
        bySite = sites
        referenceSteps = ReferenceStepComparison(beforeLabel: beforeLabel, afterLabel: afterLabel,
                                                 pairs: pairs.map { (Self.key(before[$0.0]), before[$0.0], after[$0.1]) })
    }

    /// What makes two attempts the same task: the evaluation's episode key (task and seed), or site
    /// and task id for results written before keys existed.
    static func key(_ e: TaskEpisode) -> String { e.key ?? "\(e.site)#\(e.taskID)" }

    /// The tasks both sides ran, as (index in `before`, index in `after`) in `before`'s order: each
    /// key's first episode on either side.
    static func pairedIndices(before: [TaskEpisode], after: [TaskEpisode]) -> [(Int, Int)] {
        var afterByKey: [String: Int] = [:]
        for (i, e) in after.enumerated() where afterByKey[key(e)] == nil { afterByKey[key(e)] = i }
        var seen: Set<String> = []
        return before.enumerated().compactMap { i, e in
            let k = key(e)
            guard seen.insert(k).inserted, let j = afterByKey[k] else { return nil }
            return (i, j)
        }
    }

    /// Reads two evaluation folders (their `episodes.jsonl`, listed as their reports list them) and
    /// writes the comparison page to `file`, linking to each folder's task pages.
    @discardableResult
    public static func write(before: URL, after: URL, to file: URL) throws -> EvaluationComparison {
        func load(_ directory: URL) throws -> (String, [TaskEpisode]) {
            let label = (try? EvaluationJournal.settings(in: directory).label)
                ?? (try? JSONDecoder().decode(EvaluationReport.self, from: Data(contentsOf: directory.appendingPathComponent("report.json"))).label)
                ?? directory.lastPathComponent
            let episodes = try EvaluationJournal.readEpisodes(in: directory)
            guard !episodes.isEmpty else { throw EvaluationJournalError.notAnEvaluation(directory: directory.path) }
            return (label, EvaluationReport.listed(episodes))
        }
        let (beforeLabel, beforeEpisodes) = try load(before)
        let (afterLabel, afterEpisodes) = try load(after)
        let comparison = EvaluationComparison(beforeLabel: beforeLabel, before: beforeEpisodes,
                                              afterLabel: afterLabel, after: afterEpisodes)
        let folder = file.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let html = HTMLReport.comparisonPage(comparison, beforeFolder: RelativePath.from(folder, to: before),
                                             afterFolder: RelativePath.from(folder, to: after))
        try Data(html.utf8).write(to: file, options: .atomic)
        return comparison
    }

    /// A few lines for the terminal.
    public var table: String {
        var lines = ["\(beforeLabel) → \(afterLabel)",
                     "  before \(beforeRate.text)", "  after  \(afterRate.text)", "  " + paired.text,
                     "  fixed (failed → success) \(fixed.count), broken (success → failed) \(broken.count)"]
        if onlyBefore + onlyAfter > 0 { lines.append("  unpaired: \(onlyBefore) only before, \(onlyAfter) only after") }
        lines += (referenceSteps?.lines ?? []).map { "  " + $0 }
        return lines.joined(separator: "\n")
    }
}

/// A relative link from one folder to another, so a comparison page keeps working when the folders
/// are moved together.
enum RelativePath {
    static func from(_ folder: URL, to target: URL) -> String {
        let a = folder.standardizedFileURL.resolvingSymlinksInPath().pathComponents
        let b = target.standardizedFileURL.resolvingSymlinksInPath().pathComponents
        var common = 0
        while common < min(a.count, b.count), a[common] == b[common] { common += 1 }
        let parts = Array(repeating: "..", count: a.count - common) + b[common...]
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }
}
