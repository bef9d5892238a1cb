import Evaluation
import Foundation
import NNetnavSupport
import WebBrowser

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
        /// The teacher-forced pass over the held-out tasks' scripted solutions (`referenceSteps`).
        public var referenceSteps: EvaluationReport?
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
    /// One step of a teacher-forced pass: did the arm's policy choose the scripted solution's action
    /// at that state (Mind2Web's step success)? One line of `reference-steps.jsonl`.
    public struct StepResult: Codable, Sendable, Hashable {
        public var arm: String
        public var key: String
        public var site: String
        public var task: Int
        public var step: Int
        public var action: String
        public var reference: String
        public var matched: Bool
        /// The reference action was among the policy's candidates (a choice decoder could match it).
        public var offered: Bool
        /// Log of the probability the arm's choice gave the reference action (`TaskEpisode.Step`).
        public var referenceLogProbability: Double? = nil
        /// Candidates offered at the step: −log of it is the chance level of `referenceLogProbability`.
        public var candidates: Int? = nil
        /// Log P(reference | its verb) and the candidates of that verb (`TaskEpisode.Step`).
        public var withinVerbLogProbability: Double? = nil
        public var verbCandidates: Int? = nil

        var isScroll: Bool { reference.hasPrefix("scroll") }
        var verb: String { String(reference.prefix { $0 != " " }) }

        /// Whether the action names the reference's element, whatever it does with it (Mind2Web's
        /// element accuracy); nil when the reference names no element (scroll, stop, back).
        var sameElement: Bool? {
            guard let target = ActionParser.parse(action: reference).elementID else { return nil }
            return ActionParser.parse(action: action).elementID == target
        }
    }

    public var comparisons: [PairedComparison] = []
    public var results: [Result] = []
    /// Paired comparisons of the arms on the same reference steps.
    public var stepComparisons: [PairedComparison] = []
    public var stepResults: [StepResult] = []
    /// Paired differences of the arms' log-probability of the reference, clustered by task.
    public var stepScoreComparisons: [PairedMeanDifference]? = nil

    public init(settings: ExperimentSettings, arms: [ArmResult], heldOutTasks: Int, machine: MachineDescription,
                results: [Result] = [], stepResults: [StepResult] = []) {
        self.settings = settings
        self.arms = arms
        self.heldOutTasks = heldOutTasks
        self.machine = machine
        self.results = results
        self.stepResults = stepResults
        comparisons = Self.compare(arms: arms.map(\.arm), results: results)
        stepComparisons = Self.compareSteps(arms: arms.map(\.arm), steps: stepResults)
        stepScoreComparisons = Self.compareStepScores(arms: arms.map(\.arm), steps: stepResults)
    }

    /// Every pair of arms on the log-probability each gave the reference at the steps both scored,
    /// all of them and all but the scrolls, clustered by task.
    static func compareStepScores(arms: [ExperimentSettings.Arm], steps: [StepResult]) -> [PairedMeanDifference] {
        var out: [PairedMeanDifference] = []
        for (i, a) in arms.enumerated() {
            for b in arms.dropFirst(i + 1) {
                for (label, keep) in [("log-probability of the reference", { (_: StepResult) in true }),
                                      ("log-probability of the reference, scrolls excluded", { (s: StepResult) in !s.isScroll })] {
                    func scores(_ arm: ExperimentSettings.Arm) -> [String: (key: String, score: Double)] {
                        Dictionary(steps.filter { $0.arm == arm.rawValue && keep($0) }.compactMap { step in
                            step.referenceLogProbability.map { ("\(step.key)#\(step.step)", (step.key, $0)) }
                        }, uniquingKeysWith: { x, _ in x })
                    }
                    let left = scores(a), right = scores(b)
                    let keys = Set(left.keys).intersection(right.keys).sorted()
                    guard !keys.isEmpty else { continue }
                    out.append(PairedMeanDifference(a: a.rawValue, b: b.rawValue, label: label,
                                                    pairs: keys.map { (left[$0]!.key, left[$0]!.score, right[$0]!.score) }))
                }
            }
        }
        return out
    }

    /// Reads each arm's teacher-forced pass (`referenceStepsFolder`) under `output`.
    public static func stepResults(of arms: [ExperimentSettings.Arm], in output: URL) throws -> [StepResult] {
        var out: [StepResult] = []
        for arm in arms {
            let directory = output.appendingPathComponent(arm.rawValue).appendingPathComponent(referenceStepsFolder)
            guard FileManager.default.fileExists(atPath: directory.appendingPathComponent(EvaluationJournal.episodesFile).path)
            else { continue }
            for e in try EvaluationJournal.readEpisodes(in: directory) where e.interrupted != true {
                for (i, step) in e.steps.enumerated() {
                    guard let matched = step.matchesReference, let reference = step.referenceAction else { continue }
                    out.append(StepResult(arm: arm.rawValue, key: e.key ?? "\(e.site)/\(e.taskID)", site: e.site, task: e.taskID,
                                          step: i, action: step.action, reference: reference, matched: matched,
                                          offered: step.referenceOffered ?? false,
                                          referenceLogProbability: step.referenceLogProbability,
                                          candidates: step.candidateCount,
                                          withinVerbLogProbability: step.referenceLogProbabilityWithinVerb,
                                          verbCandidates: step.verbCandidateCount))
                }
            }
        }
        return out.sorted { ($0.arm, $0.key, $0.step) < ($1.arm, $1.key, $1.step) }
    }

    /// The folder of an arm holding its teacher-forced pass.
    public static let referenceStepsFolder = "eval-reference-steps"

    /// Every pair of arms on the reference steps both were asked, all of them and all but the scrolls:
    /// a solution scrolls until its element shows, and a policy that always scrolls matches those
    /// without having learned which element a page and an objective call for.
    static func compareSteps(arms: [ExperimentSettings.Arm], steps: [StepResult]) -> [PairedComparison] {
        var out: [PairedComparison] = []
        for (i, a) in arms.enumerated() {
            for b in arms.dropFirst(i + 1) {
                let measures: [(label: String, outcome: (StepResult) -> Bool?)] = [
                    ("reference steps", { $0.matched }),
                    ("reference steps but scrolls", { $0.isScroll ? nil : $0.matched }),
                    ("same element as the reference", { $0.sameElement }),
                ]
                for (label, outcome) in measures {
                    func outcomes(_ arm: ExperimentSettings.Arm) -> [String: Bool] {
                        Dictionary(steps.filter { $0.arm == arm.rawValue }.compactMap { step in outcome(step).map { ("\(step.key)#\(step.step)", $0) } },
                                   uniquingKeysWith: { x, _ in x })
                    }
                    let left = outcomes(a), right = outcomes(b)
                    let keys = Set(left.keys).intersection(right.keys).sorted()
                    guard !keys.isEmpty else { continue }
                    out.append(PairedComparison(a: a.rawValue + " [\(label)]", b: b.rawValue,
                                                outcomes: keys.map { (left[$0]!, right[$0]!) }))
                }
            }
        }
        return out
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
        try JSONLines.write(stepResults, to: output.appendingPathComponent("reference-steps.jsonl"))
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

    private var actionWeightsText: String {
        let weights = settings.training.actionWeights.sorted { $0.key < $1.key }
        return weights.isEmpty ? "" : ", action weights " + weights.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }

    /// The summary table, the comparisons, and the per-task table, in Markdown.
    public var markdown: String {
        var lines = ["# Learning experiment", "",
                     "Machine: \(machine.text).", "",
                     "Held-out bundled-site tasks: \(heldOutTasks) (\(settings.sites.joined(separator: ", ")), difficulty ≤ "
                     + "\(settings.maxDifficulty), at most \(settings.tasksPerSite) per site, \(settings.maxSteps) steps)"
                     + (settings.miniwob.map { "; MiniWoB++ \($0) × \(settings.miniwobSeeds) seeds" } ?? "") + ".",
                     "Training: \(settings.training.steps) steps, LoRA rank \(settings.training.loraRank), lr \(settings.training.learningRate), seed \(settings.seed)"
                     + actionWeightsText
                     + (settings.collapseScrollRuns == true ? ", scroll runs collapsed to their first row" : "") + ". Decoding: \(settings.decoding.rawValue)"
                     + (settings.choiceScoring.map { $0 == .joint ? "" : ", choices read \($0.rawValue)" } ?? "")
                     + (settings.answerReasoning.map { $0 == .empty ? "" : "; templated answers name the \($0.rawValue) acted on" } ?? "") + ".", "",
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
        if arms.contains(where: { $0.referenceSteps?.referenceSteps != nil }) {
            lines += ["", "## Reference steps (teacher-forced, held-out tasks)", "",
                      "At every state of each held-out task's scripted solution the arm's policy is asked for its action; "
                      + "the solution's action is then taken. Matched: same operation, element and value (Mind2Web's step success). "
                      + "Offered: the solution's action was among the policy's candidates (choice decoding can take no other; "
                      + "free decoding can also write a goto or an answer not on the page).", "",
                      "| arm | steps matched | matched of those offered | tasks with every step offered |", "|---|---|---|---|"]
            for arm in arms {
                let reachable = arm.referenceSteps?.referenceReachableTasks.map { "\($0.passed)/\($0.total)" } ?? "-"
                lines.append("| \(arm.arm.title) | \(rate(arm.referenceSteps?.referenceSteps)) | \(rate(arm.referenceSteps?.referenceStepsOffered)) | \(reachable) |")
            }
            lines += [""] + stepComparisons.map { "- " + $0.text }
            var byVerb: [String: [String: SuccessRate]] = [:]
            for step in stepResults {
                let verb = step.verb
                var rate = byVerb[verb, default: [:]][step.arm, default: SuccessRate(passed: 0, total: 0)]
                rate.total += 1
                if step.matched { rate.passed += 1 }
                byVerb[verb, default: [:]][step.arm] = rate
            }
            lines += ["", "| reference verb | " + arms.map(\.arm.rawValue).joined(separator: " | ") + " |",
                      "|---|" + arms.map { _ in "---|" }.joined()]
            for verb in byVerb.keys.sorted() {
                lines.append("| \(verb) | " + arms.map { arm in
                    byVerb[verb]?[arm.arm.rawValue].map { "\($0.passed)/\($0.total)" } ?? "·" }.joined(separator: " | ") + " |")
            }
            lines.append("| all but scroll | " + arms.map { arm in
                let mine = stepResults.filter { $0.arm == arm.arm.rawValue && !$0.isScroll }
                return SuccessRate(passed: mine.filter(\.matched).count, total: mine.count).text
            }.joined(separator: " | ") + " |")
            lines.append("| same element, any operation | " + arms.map { arm in
                let mine = stepResults.filter { $0.arm == arm.arm.rawValue }.compactMap(\.sameElement)
                return SuccessRate(passed: mine.filter { $0 }.count, total: mine.count).text
            }.joined(separator: " | ") + " |")
            let scored = stepResults.filter { $0.referenceLogProbability != nil }
            if !scored.isEmpty {
                func mean(_ arm: ExperimentSettings.Arm, _ keep: (StepResult) -> Bool) -> String {
                    let mine = scored.filter { $0.arm == arm.rawValue && keep($0) }.compactMap(\.referenceLogProbability)
                    guard !mine.isEmpty else { return "·" }
                    let m = mine.reduce(0, +) / Double(mine.count)
                    return String(format: "%.3f (p %.3f, %d steps)", m, exp(m), mine.count)
                }
                lines += ["", "Log-probability of the reference among the candidates: the log of the share of the choice "
                          + "(the softmax of the candidates' log-likelihoods) the arm gives the scripted solution's action, "
                          + "at the steps where it was offered; higher is better, and it moves before the argmax does. "
                          + "Chance: a uniform choice among the step's candidates (−log of their number).", "",
                          "| arm | mean log-probability (geometric mean p) | scrolls excluded |", "|---|---|---|"]
                for arm in arms {
                    lines.append("| \(arm.arm.title) | \(mean(arm.arm) { _ in true }) | \(mean(arm.arm) { !$0.isScroll }) |")
                }
                // By the reference's verb: a fine-tuned arm can gain on stops and typings by learning their
                // answer shapes alone, while its clicks stay at chance; this table tells the two apart.
                let verbs = Array(Set(scored.map(\.verb))).sorted()
                lines += ["", "| reference verb | " + arms.map(\.arm.rawValue).joined(separator: " | ") + " | chance |",
                          "|---|" + arms.map { _ in "---|" }.joined() + "---|"]
                for verb in verbs {
                    let chance = scored.filter { $0.verb == verb && $0.arm == arms[0].arm.rawValue }.compactMap(\.candidates).map { -log(Double(max(1, $0))) }
                    lines.append("| \(verb) | " + arms.map { mean($0.arm) { $0.verb == verb } }.joined(separator: " | ") + " | "
                                 + (chance.isEmpty ? "·" : String(format: "%.3f", chance.reduce(0, +) / Double(chance.count))) + " |")
                }
                // The element given the operation: log P(reference | its verb) against a uniform pick among that
                // verb's candidates; the grounding a click needs, with the choice of verb factored out.
                lines += ["", "Within the reference's verb (log P(reference | its verb); chance: −log of that verb's candidates):", "",
                          "| reference verb | " + arms.map(\.arm.rawValue).joined(separator: " | ") + " | chance |",
                          "|---|" + arms.map { _ in "---|" }.joined() + "---|"]
                for verb in verbs where verb != "scroll" {
                    let cells = arms.map { arm -> String in
                        let mine = scored.filter { $0.arm == arm.arm.rawValue && $0.verb == verb }.compactMap(\.withinVerbLogProbability)
                        guard !mine.isEmpty else { return "·" }
                        return String(format: "%.3f (%d steps)", mine.reduce(0, +) / Double(mine.count), mine.count)
                    }
                    let chance = scored.filter { $0.verb == verb && $0.arm == arms[0].arm.rawValue }.compactMap(\.verbCandidates).map { -log(Double(max(1, $0))) }
                    lines.append("| \(verb) | " + cells.joined(separator: " | ") + " | "
                                 + (chance.isEmpty ? "·" : String(format: "%.3f", chance.reduce(0, +) / Double(chance.count))) + " |")
                }
                lines += [""] + (stepScoreComparisons ?? []).map { "- " + $0.text }
            }
        }
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
