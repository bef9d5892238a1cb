import Evaluation
import Foundation
import NNetnavSupport

/// The learning experiment's results: per arm the success rate on each task set with its count
/// and 95% interval, paired comparisons between arms on the same episodes, a per-task table and
/// the cost. Written as `report.json`, `results.jsonl` (one line per arm and episode),
/// `report.md`, `report.html` and `success.png`.
public struct ExperimentReport: Codable, Sendable {
    public struct ArmResult: Codable, Sendable {
        public var arm: ExperimentSettings.Arm
        public var rows: Int
        public var trainingSteps: Int
        public var note: String?
        public var sites: EvaluationReport?
        public var miniwob: EvaluationReport?
        public var cost = ArmCost()

        public init(arm: ExperimentSettings.Arm, rows: Int, trainingSteps: Int) {
            self.arm = arm
            self.rows = rows
            self.trainingSteps = trainingSteps
        }

        /// Both task sets together.
        public var overall: SuccessRate {
            (sites?.overall ?? SuccessRate(passed: 0, total: 0)) + (miniwob?.overall ?? SuccessRate(passed: 0, total: 0))
        }
    }

    /// One line of `results.jsonl`.
    public struct Result: Codable, Sendable, Hashable {
        public var arm: String
        public var taskSet: String
        public var key: String
        public var site: String
        public var task: Int
        public var intent: String
        public var succeeded: Bool
        public var steps: Int
        public var modelCalls: Int
        public var promptTokens: Int
        public var completionTokens: Int
        public var seconds: Double
        public var failure: String?
    }

    public var settings: ExperimentSettings
    public var arms: [ArmResult]
    public var heldOutTasks: Int
    public var machine: MachineDescription
    public var comparisons: [PairedComparison] = []
    public var results: [Result] = []

    public init(settings: ExperimentSettings, arms: [ArmResult], heldOutTasks: Int, machine: MachineDescription,
                results: [Result] = []) {
        self.settings = settings
        self.arms = arms
        self.heldOutTasks = heldOutTasks
        self.machine = machine
        self.results = results
        comparisons = Self.compare(arms: arms.map(\.arm), results: results)
    }

    /// Reads each arm's streamed episodes from its evaluation folders under `output`.
    public static func results(of arms: [ExperimentSettings.Arm], in output: URL) throws -> [Result] {
        var out: [Result] = []
        for arm in arms {
            for (taskSet, folder) in [("bundled-sites", "eval-sites"), ("miniwob", "eval-miniwob")] {
                let directory = output.appendingPathComponent(arm.rawValue).appendingPathComponent(folder)
                guard FileManager.default.fileExists(atPath: directory.appendingPathComponent(EvaluationJournal.episodesFile).path)
                else { continue }
                for e in try EvaluationJournal.readEpisodes(in: directory) where e.interrupted != true {
                    out.append(Result(arm: arm.rawValue, taskSet: taskSet, key: e.key ?? "\(e.site)/\(e.taskID)", site: e.site,
                                      task: e.taskID, intent: e.intent, succeeded: e.succeeded, steps: e.steps.count,
                                      modelCalls: e.steps.count + e.steps.filter(\.constrained).count,
                                      promptTokens: e.usage.promptTokens, completionTokens: e.usage.completionTokens,
                                      seconds: e.seconds, failure: e.failure?.rawValue))
                }
            }
        }
        return out.sorted { ($0.arm, $0.taskSet, $0.key) < ($1.arm, $1.taskSet, $1.key) }
    }

    /// Every pair of arms on the episodes both ran, all task sets together and each apart.
    static func compare(arms: [ExperimentSettings.Arm], results: [Result]) -> [PairedComparison] {
        var out: [PairedComparison] = []
        let taskSets = [nil] + Array(Set(results.map(\.taskSet))).sorted().map(Optional.some)
        for (i, a) in arms.enumerated() {
            for b in arms.dropFirst(i + 1) {
                for taskSet in taskSets where taskSets.count > 2 || taskSet == nil {
                    func outcomes(_ arm: ExperimentSettings.Arm) -> [String: Bool] {
                        Dictionary(results.filter { $0.arm == arm.rawValue && (taskSet == nil || $0.taskSet == taskSet) }
                            .map { ($0.taskSet + "|" + $0.key, $0.succeeded) }, uniquingKeysWith: { x, _ in x })
                    }
                    let left = outcomes(a), right = outcomes(b)
                    let keys = Set(left.keys).intersection(right.keys).sorted()
                    guard !keys.isEmpty else { continue }
                    out.append(PairedComparison(a: a.rawValue + (taskSet.map { " [\($0)]" } ?? ""), b: b.rawValue,
                                                outcomes: keys.map { (left[$0]!, right[$0]!) }))
                }
            }
        }
        return out
    }

    // MARK: Writing

    public func write(to output: URL) throws {
        let encoder = JSONLines.encoder()
        encoder.outputFormatting.insert(.prettyPrinted)
        try encoder.encode(self).write(to: output.appendingPathComponent("report.json"), options: .atomic)
        try JSONLines.write(results, to: output.appendingPathComponent("results.jsonl"))
        try Data(markdown.utf8).write(to: output.appendingPathComponent("report.md"), options: .atomic)
        try Data(html.utf8).write(to: output.appendingPathComponent("report.html"), options: .atomic)
        try chartPNG.write(to: output.appendingPathComponent("success.png"), options: .atomic)
    }

    var chartBars: [SVGChart.Bar] {
        arms.map { arm in
            let rate = arm.overall
            let (lower, upper) = rate.wilsonInterval()
            return SVGChart.Bar(label: arm.arm.rawValue, value: 100 * rate.fraction, interval: (100 * lower)...(100 * upper),
                                note: "\(rate.passed)/\(rate.total)")
        }
    }

    public var chartPNG: Data {
        RasterChart.bars(title: "Held-out success by arm (95% Wilson CI)", xLabel: "arm", yLabel: "success %",
                         bars: chartBars, yRange: 0...100)
    }

    func rate(_ r: SuccessRate?) -> String { r.map(\.text) ?? "-" }

    /// The summary table, the comparisons, and the per-task table, in Markdown.
    public var markdown: String {
        var lines = ["# Learning experiment", "",
                     "Machine: \(machine.text).", "",
                     "Held-out bundled-site tasks: \(heldOutTasks) (\(settings.sites.joined(separator: ", ")), difficulty ≤ "
                     + "\(settings.maxDifficulty), at most \(settings.tasksPerSite) per site, \(settings.maxSteps) steps)"
                     + (settings.miniwob.map { "; MiniWoB++ \($0) × \(settings.miniwobSeeds) seeds" } ?? "") + ".",
                     "Training: \(settings.training.steps) steps, LoRA rank \(settings.training.loraRank), lr \(settings.training.learningRate), seed \(settings.seed).", "",
                     "| arm | bundled sites | MiniWoB++ | all | training rows | model calls | tokens (prompt/completion) | CPU s train / eval |",
                     "|---|---|---|---|---|---|---|---|"]
        for arm in arms {
            let mine = results.filter { $0.arm == arm.arm.rawValue }
            lines.append("| \(arm.arm.title) | \(rate(arm.sites?.overall)) | \(rate(arm.miniwob?.overall)) | \(arm.overall.text) | "
                         + "\(arm.arm == .base ? "-" : String(arm.rows)) | \(mine.map(\.modelCalls).reduce(0, +)) | "
                         + "\(mine.map(\.promptTokens).reduce(0, +)) / \(mine.map(\.completionTokens).reduce(0, +)) | "
                         + String(format: "%.0f / %.0f |", arm.cost.trainingCPUSeconds, arm.cost.evaluationCPUSeconds))
            if let note = arm.note { lines.append("|  ↳ \(note) | | | | | | | |") }
        }
        lines += ["", "## Paired comparisons (same tasks and seeds)", ""]
        lines += comparisons.isEmpty ? ["(none: fewer than two arms with common episodes)"] : comparisons.map { "- " + $0.text }
        lines += ["", "## Per task", "", "| task | " + arms.map(\.arm.rawValue).joined(separator: " | ") + " |",
                  "|---|" + arms.map { _ in "---|" }.joined()]
        let keys = Array(Set(results.map { $0.taskSet + "|" + $0.key })).sorted()
        for key in keys {
            let row = results.filter { $0.taskSet + "|" + $0.key == key }
            let intent = row.first?.intent ?? ""
            let label = "\(row.first?.site ?? "") \(row.first?.task ?? 0): \(intent.prefix(70))".replacingOccurrences(of: "|", with: "/")
            let cells = arms.map { arm in row.first { $0.arm == arm.arm.rawValue }.map { $0.succeeded ? "✓" : "✗" } ?? "·" }
            lines.append("| \(label) | " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public var html: String {
        let svg = SVGChart.bars(title: "Held-out success by arm (95% Wilson CI)", xLabel: "arm", yLabel: "success %",
                                bars: chartBars, yRange: 0...100)
        let page: HTML = """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>nnetnav learning experiment</title>
        <style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1100px}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em}</style>
        </head><body><h1>Learning experiment</h1>\(HTML(raw: svg))<pre>\(markdown)</pre>
        <p>Each arm's episodes, with every step's page, model output and the checks: \(arms.map { arm -> HTML in
            HTML(raw: "<a href=\"\(HTML.escape(arm.arm.rawValue))/eval-sites/report.html\">\(HTML.escape(arm.arm.rawValue))</a> ") })</p>
        </body></html>
        """
        return page.rendered
    }
}
