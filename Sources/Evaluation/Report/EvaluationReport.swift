import Foundation
import NNetnavSupport

/// Success rates and failure causes of a set of task attempts.
public struct EvaluationReport: Sendable, Codable {
    public typealias Rate = SuccessRate

    public var label: String
    public var overall: Rate
    /// "miniwob" or "bundled-sites".
    public var byTaskSet: [String: Rate]
    public var bySite: [String: Rate]
    /// Buckets "1-3", "4-7", "8+" of the tasks' difficulty (number of steps of the reference solution).
    public var byDifficulty: [String: Rate]
    public var averageSteps: Double
    /// Share of steps whose action came from the constrained re-ask rather than the free answer.
    public var constrainedStepShare: Double
    public var failures: [String: Int]
    public var promptTokens: Int
    public var completionTokens: Int
    public var seconds: Double
    /// Where the seconds of a step went, averaged over measured steps (nil before it was measured).
    public var stepCost: StepCost?
    /// Teacher-forced evaluations only: the steps where the policy chose the reference solution's
    /// action, of all reference steps, and of those the policy was offered (nil otherwise).
    public var referenceSteps: Rate?
    public var referenceStepsOffered: Rate?
    /// Tasks whose every reference step was among the policy's candidates: what choice decoding
    /// could at best solve along the reference path.
    public var referenceReachableTasks: Rate?

    public init(label: String, episodes: [TaskEpisode]) {
        func rate(_ list: [TaskEpisode]) -> Rate { Rate(passed: list.filter(\.succeeded).count, total: list.count) }
        self.label = label
        overall = rate(episodes)
        byTaskSet = Dictionary(grouping: episodes, by: { Self.taskSet(of: $0) }).mapValues(rate)
        bySite = Dictionary(grouping: episodes, by: \.site).mapValues(rate)
        byDifficulty = Dictionary(grouping: episodes, by: { Self.bucket($0.difficulty) }).mapValues(rate)
        let steps = episodes.map(\.steps.count)
        averageSteps = steps.isEmpty ? 0 : Double(steps.reduce(0, +)) / Double(steps.count)
        let allSteps = episodes.flatMap(\.steps)
        constrainedStepShare = allSteps.isEmpty ? 0 : Double(allSteps.filter(\.constrained).count) / Double(allSteps.count)
        failures = Dictionary(grouping: episodes.compactMap(\.failure), by: \.rawValue).mapValues(\.count)
        promptTokens = episodes.map(\.usage.promptTokens).reduce(0, +)
        completionTokens = episodes.map(\.usage.completionTokens).reduce(0, +)
        seconds = episodes.map(\.seconds).reduce(0, +)
        stepCost = StepCost(episodes: episodes)
        let forced = allSteps.filter { $0.matchesReference != nil }
        if !forced.isEmpty {
            referenceSteps = Rate(passed: forced.filter { $0.matchesReference == true }.count, total: forced.count)
            let offered = forced.filter { $0.referenceOffered == true }
            referenceStepsOffered = Rate(passed: offered.filter { $0.matchesReference == true }.count, total: offered.count)
            let forcedEpisodes = episodes.filter { $0.steps.contains { $0.matchesReference != nil } }
            referenceReachableTasks = Rate(passed: forcedEpisodes.filter { $0.steps.allSatisfy { $0.referenceOffered == true } }.count,
                                           total: forcedEpisodes.count)
        }
    }

    static func taskSet(of episode: TaskEpisode) -> String {
        episode.site.hasPrefix("miniwob/") ? "miniwob" : "bundled-sites"
    }

    public static func bucket(_ difficulty: Int) -> String {
        switch difficulty {
        case ..<4: return "1-3"
        case 4..<8: return "4-7"
        default: return "8+"
        }
    }

    /// A plain-text table for the terminal.
    public var table: String {
        var lines = ["\(label): success \(overall.text), average steps \(String(format: "%.1f", averageSteps)), "
                     + "constrained steps \(String(format: "%.0f%%", 100 * constrainedStepShare))"]
        if byTaskSet.count > 1 {
            for set in byTaskSet.keys.sorted() { lines.append("  task set \(set) \(byTaskSet[set]!.text)") }
        }
        let width = max(8, (bySite.keys.map(\.count).max() ?? 0))
        for site in bySite.keys.sorted() { lines.append("  site \(site.padding(toLength: width, withPad: " ", startingAt: 0)) \(bySite[site]!.text)") }
        for bucket in ["1-3", "4-7", "8+"] where byDifficulty[bucket] != nil {
            lines.append("  difficulty \(bucket.padding(toLength: 4, withPad: " ", startingAt: 0)) \(byDifficulty[bucket]!.text)")
        }
        if !failures.isEmpty {
            lines.append("  failures: " + failures.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if let referenceSteps {
            lines.append("  reference steps matched \(referenceSteps.text)"
                         + (referenceStepsOffered.map { "; of those offered as candidates \($0.text)" } ?? "")
                         + (referenceReachableTasks.map { "; tasks with every step offered \($0.passed)/\($0.total)" } ?? ""))
        }
        if let stepCost { lines.append("  " + stepCost.text) }
        return lines.joined(separator: "\n")
    }

    /// Writes `episodes.jsonl`, `report.json`, `report.html` and a page per task (`tasks/`) into `directory`.
    @discardableResult
    public static func write(label: String, episodes: [TaskEpisode], to directory: URL) throws -> EvaluationReport {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try JSONLines.write(episodes, to: directory.appendingPathComponent("episodes.jsonl"))
        return try writeSummaries(label: label, episodes: episodes, to: directory)
    }

    /// Rewrites `report.json` and `report.html` of an evaluation folder from its streamed
    /// `episodes.jsonl` (what `nnetnav eval --report-only DIR` does; a finished or interrupted
    /// evaluation does the same). Episodes are listed by site, task and seed.
    @discardableResult
    public static func regenerate(in directory: URL) throws -> EvaluationReport {
        let settings = try EvaluationJournal.settings(in: directory)
        let episodes = listed(try EvaluationJournal.readEpisodes(in: directory))
        return try writeSummaries(label: settings.label, episodes: episodes, to: directory)
    }

    /// The order reports list episodes in: by site, task and seed (not by finishing order).
    static func listed(_ episodes: [TaskEpisode]) -> [TaskEpisode] {
        episodes.sorted { ($0.site, $0.taskID) < ($1.site, $1.taskID) }
    }

    static func writeSummaries(label: String, episodes: [TaskEpisode], to directory: URL) throws -> EvaluationReport {
        let report = EvaluationReport(label: label, episodes: episodes)
        let encoder = JSONLines.encoder()
        encoder.outputFormatting.insert(.prettyPrinted)
        try encoder.encode(report).write(to: directory.appendingPathComponent("report.json"), options: .atomic)
        try Data(HTMLReport.render(report: report, episodes: episodes).utf8)
            .write(to: directory.appendingPathComponent("report.html"), options: .atomic)
        try HTMLReport.writeTaskPages(episodes, reportLabel: label, to: directory)
        return report
    }
}
