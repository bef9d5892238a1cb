import ChromiumBrowser
import Environments
import Evaluation
import Foundation
import LanguageModels
import LlamaModel
import MainJob
import NNetnavSupport
import Pipeline
import Trainer
import WebSites
import WebTasks

/// `nnetnav experiment`: does training on NNetnav's demonstrations make the student better?
///
/// Three arms on the same held-out tasks (the recorded `TaskSplit`; no exploration episode sees a
/// task) and the same seeds: the student zero-shot, the student fine-tuned on the crawl's rows,
/// and the student fine-tuned on scripted solutions of training-split tasks (the ceiling). Each
/// arm's evaluation streams into its own journal, so a rerun resumes; checkpoints are reused when
/// their data and options are unchanged. The report states every rate with its count and 95%
/// interval and every comparison as a paired test.
public struct LearningExperiment: Sendable {
    public var settings: ExperimentSettings
    public var output: URL
    public var layout: ProjectLayout
    public var log: @Sendable (String) -> Void

    public init(settings: ExperimentSettings, output: URL, layout: ProjectLayout = .current,
                log: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        self.settings = settings
        self.output = output
        self.layout = layout
        self.log = log
    }

    var studentFile: URL { settings.student.map { URL(fileURLWithPath: $0) } ?? layout.defaultModelFile }

    /// The held-out tasks every arm is evaluated on, and the training-split tasks whose scripted
    /// solutions are the oracle's data.
    public func tasks() throws -> (heldOut: [TaskConfig], training: [TaskConfig]) {
        let split = try TaskSplit.load(layout: layout)
        let sets = try settings.sites.map { name -> TaskSet in
            guard let site = SiteName(rawValue: name) else { throw ExperimentError.badSettings("unknown site \(name)") }
            return try TaskSet.load(site: site, layout: layout)
        }
        let problems = split.problems(against: sets)
        guard problems.isEmpty else { throw TaskSplitError.inconsistent(problems) }
        let heldOut = sets.flatMap { split.tasks(of: $0, heldOut: true).filter { $0.difficulty <= settings.maxDifficulty }
            .prefix(settings.tasksPerSite) }
        let training = sets.flatMap { split.tasks(of: $0, heldOut: false) }
        return (heldOut, training)
    }

    public func run() async throws -> ExperimentReport {
        try await withPreparedTasks { cluster, heldOut, training in
            try await runArms(cluster: cluster, heldOut: heldOut, training: training)
        }
    }

    /// Validates and records the settings, starts the sites the tasks need (the admin panel runs on the
    /// shop's data), rewrites the solutions to navigate by clicks when asked, runs `body` on the held-out
    /// and training tasks, and shuts the sites down however `body` ends.
    func withPreparedTasks<T>(_ body: (SiteCluster, _ heldOut: [TaskConfig], _ training: [TaskConfig]) async throws -> T) async throws -> T {
        try settings.validate()
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        try recordSettings()
        var (heldOut, training) = try tasks()
        log("==> experiment: arms \(settings.arms.map(\.rawValue).joined(separator: ", ")); \(heldOut.count) held-out tasks on "
            + "\(settings.sites.joined(separator: ", "))" + (settings.miniwob.map { "; MiniWoB++ \($0) × \(settings.miniwobSeeds) seeds" } ?? ""))
        var needed = Set((heldOut + training).flatMap(\.sites).compactMap(SiteName.init(rawValue:)))
        if needed.contains(.admin) { needed.insert(.shop) }
        let cluster = try await SiteCluster.start(sites: SiteName.allCases.filter(needed.contains), instances: settings.instances,
                                                  dataDirectory: output.appendingPathComponent("sites"), seed: TaskSet.seed)
        do {
            if settings.solutionNavigation == .clicks {
                (heldOut, training) = try await navigatingByClicks(heldOut: heldOut, training: training, cluster: cluster)
            }
            let result = try await body(cluster, heldOut, training)
            await cluster.shutdown()
            return result
        } catch {
            await cluster.shutdown()
            throw error
        }
    }

    /// Both task lists with their solutions' `goto`s replaced by clicks or typing found on the live
    /// site (instance 0), and the rewritten solutions recorded in `solutions-by-clicks.jsonl`.
    func navigatingByClicks(heldOut: [TaskConfig], training: [TaskConfig],
                            cluster: SiteCluster) async throws -> (heldOut: [TaskConfig], training: [TaskConfig]) {
        let clock = ContinuousClock.now
        let (tasks, summary) = try await ClickNavigation().rewrite(heldOut + training, harness: TaskHarness(cluster: cluster))
        log("==> solutions: \(summary) (\(clock.duration(to: .now).formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1)))))")
        struct Record: Codable { var site: String; var taskID: Int; var heldOut: Bool; var solution: [SolutionStep] }
        try JSONLines.write(tasks.enumerated().map { Record(site: $1.sites.first ?? "", taskID: $1.taskID, heldOut: $0 < heldOut.count,
                                                             solution: $1.solution) },
                            to: output.appendingPathComponent("solutions-by-clicks.jsonl"))
        return (Array(tasks.prefix(heldOut.count)), Array(tasks.dropFirst(heldOut.count)))
    }

    /// A folder already holding another experiment's results is refused, not mixed.
    func recordSettings() throws {
        let file = output.appendingPathComponent("experiment.json")
        let encoder = JSONLines.encoder()
        encoder.outputFormatting.insert(.prettyPrinted)
        if let data = try? Data(contentsOf: file), let previous = try? JSONDecoder().decode(ExperimentSettings.self, from: data),
           previous != settings {
            throw ExperimentError.badSettings("\(output.path) holds an experiment with other settings (\(file.path)); "
                                              + "use another --out or delete it")
        }
        try encoder.encode(settings).write(to: file, options: .atomic)
    }

    /// The prompt every arm is trained and evaluated with.
    func studentPrompt() throws -> StudentPrompt {
        StudentPrompt(template: try PromptLibrary(directory: layout.prompts).studentPolicy,
                      maxSequenceTokens: settings.maxSequenceTokens, maxAnswerTokens: settings.maxAnswerTokens,
                      tokens: try .tokenizer(of: studentFile))
    }

    /// Only the oracle arm's rows (`oracle/data/sft_train.jsonl`, and the collapsed file with
    /// `collapseScrollRuns`), without training or evaluating: a demonstration pool for other uses,
    /// such as recovering a pruned student (`nnetnav select`). Returns the file an oracle arm would train on.
    public func writeOracleData() async throws -> URL {
        try await withPreparedTasks { cluster, _, training in
            let folder = output.appendingPathComponent(ExperimentSettings.Arm.oracle.rawValue)
            let rows = try await oracleRows(cluster: cluster, training: training, prompt: try studentPrompt(), matching: nil, folder: folder)
            return settings.collapseScrollRuns == true
                ? try ScrollRunCollapse.write(rows, to: folder.appendingPathComponent("sft_scroll_runs_collapsed.jsonl"))
                : rows
        }
    }

    private func runArms(cluster: SiteCluster, heldOut: [TaskConfig], training: [TaskConfig]) async throws -> ExperimentReport {
        let prompt = try studentPrompt()
        let cache = try ResponseCache(path: output.appendingPathComponent("responses.sqlite").path)
        var nnetnavRows = 0
        if let data = settings.nnetnavData {
            nnetnavRows = try Self.countLines(URL(fileURLWithPath: data))
        }
        var arms: [ExperimentReport.ArmResult] = []
        let base = try LocalChatModel(modelFile: studentFile)
        for arm in settings.arms {
            let folder = output.appendingPathComponent(arm.rawValue)
            var cost = try ArmCost.load(in: folder)
            var result = ExperimentReport.ArmResult(arm: arm, rows: 0, trainingSteps: 0)
            let model: any ChatModel
            switch arm {
            case .base:
                model = base
            case .nnetnav, .oracle:
                let rows: URL
                if arm == .nnetnav {
                    rows = URL(fileURLWithPath: settings.nnetnavData!)
                } else {
                    rows = try await oracleRows(cluster: cluster, training: training, prompt: prompt,
                                                matching: settings.matchRows && nnetnavRows > 0 ? nnetnavRows : nil, folder: folder)
                }
                let trained = settings.collapseScrollRuns == true
                    ? try ScrollRunCollapse.write(rows, to: folder.appendingPathComponent("sft_scroll_runs_collapsed.jsonl"))
                    : rows
                result.rows = try Self.countLines(trained)
                guard result.rows > 0 else {
                    log("==> \(arm.rawValue): no training rows; the arm is the base model")
                    result.note = "no training rows: evaluated as the base model would be, not trained"
                    model = base
                    break
                }
                let checkpoint = try await train(arm: arm, rows: trained, folder: folder, cost: &cost)
                result.trainingSteps = settings.training.steps
                model = try LocalChatModel(modelFile: checkpoint)
            }
            var agent = PolicyAgent(model: CachedChatModel(wrapping: model, cache: cache),
                                    prompt: prompt, options: GenerationOptions(temperature: 0, maxTokens: settings.policyMaxTokens),
                                    decoding: settings.decoding)
            agent.choiceScoring = settings.choiceScoring ?? .joint
            agent.answerReasoning = settings.answerReasoning ?? .empty
            result.sites = try await evaluateSites(arm: arm, agent: agent, cluster: cluster, tasks: heldOut, folder: folder, cost: &cost)
            result.referenceSteps = try await evaluateSites(arm: arm, agent: agent, cluster: cluster, tasks: heldOut, folder: folder,
                                                            cost: &cost, followingReference: true)
            if let selection = settings.miniwob {
                result.miniwob = try await evaluateMiniWoB(arm: arm, agent: agent, selection: selection, folder: folder, cost: &cost)
            }
            result.cost = cost
            try cost.save(in: folder)
            arms.append(result)
        }
        let report = ExperimentReport(settings: settings, arms: arms, heldOutTasks: heldOut.count,
                                      machine: MachineDescription.current(),
                                      results: try ExperimentReport.results(of: settings.arms, in: output),
                                      stepResults: try ExperimentReport.stepResults(of: settings.arms, in: output))
        try report.write(to: output)
        return report
    }

    // MARK: Data

    /// The oracle's rows: scripted solutions of the training-split tasks, exported by the one
    /// exporter; with `matching`, a seeded sample of that many rows.
    func oracleRows(cluster: SiteCluster, training: [TaskConfig], prompt: StudentPrompt, matching: Int?,
                    folder: URL) async throws -> URL {
        // Rows with another reasoning are other rows: kept apart, never reused for this one.
        let reasoning = settings.answerReasoning ?? .empty
        let dataFolder = folder.appendingPathComponent(reasoning == .empty ? "data" : "data-\(reasoning.rawValue)")
        let all = dataFolder.appendingPathComponent("sft_train.jsonl")
        if !FileManager.default.fileExists(atPath: all.path) {
            log("==> oracle data: playing the scripted solutions of \(training.count) training-split tasks")
            let (demonstrations, episodes) = try await OracleDemonstrations.collect(
                tasks: training, cluster: cluster, instances: settings.instances, maxSteps: OracleDemonstrations.maxSteps, prompt: prompt,
                reasoning: reasoning)
            try FileManager.default.createDirectory(at: dataFolder, withIntermediateDirectories: true)
            try JSONLines.write(episodes, to: folder.appendingPathComponent("solutions.jsonl"))
            var exporter = DatasetExporter(studentPrompt: prompt)
            exporter.datasetName = "oracle-scripted-solutions"
            exporter.validationPercent = 0
            exporter.seed = settings.seed
            let summary = try exporter.export(demonstrations, to: dataFolder)
            log("    \(demonstrations.count) of \(episodes.count) solutions passed their checks: \(summary)")
        }
        guard let count = matching else { return all }
        let matched = folder.appendingPathComponent("sft_matched_\(count).jsonl")
        var lines = try String(contentsOf: all, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
        var random = SplitMix64(seed: settings.seed ^ 0x6f72_6163_6c65)
        lines.shuffle(using: &random)
        if lines.count > count { lines = Array(lines.prefix(count)) }
        try Data((lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")).utf8).write(to: matched, options: .atomic)
        return matched
    }

    static func countLines(_ url: URL) throws -> Int {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ExperimentError.noData("\(url.path) does not exist")
        }
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").count
    }

    // MARK: Training

    /// Fine-tunes the student on `rows`; a checkpoint trained on the same rows with the same options is reused.
    func train(arm: ExperimentSettings.Arm, rows: URL, folder: URL, cost: inout ArmCost) async throws -> URL {
        let checkpoint = folder.appendingPathComponent("checkpoint")
        let model = checkpoint.appendingPathComponent("model.gguf")
        let options = settings.training.options(seed: settings.seed)
        let identity = SHA256.hexDigest(try Data(contentsOf: rows) + JSONLines.encoder().encode(options)
                                        + Data(studentFile.path.utf8))
        let marker = checkpoint.appendingPathComponent("experiment-data.sha256")
        if FileManager.default.fileExists(atPath: model.path),
           (try? String(contentsOf: marker, encoding: .utf8)) == identity {
            log("==> \(arm.rawValue): reusing \(model.path)")
            return model
        }
        log("==> \(arm.rawValue): fine-tuning \(studentFile.lastPathComponent) on \(try Self.countLines(rows)) rows, \(options.steps) steps")
        let clock = ProcessClock.start()
        let student = studentFile
        let summary = try await MainJob.offCooperativePool {
            try TrainingRun(data: rows, model: .file(student), tokenizerFile: student, output: checkpoint, options: options).run()
        }
        cost.add(training: clock.elapsed())
        cost.trainingLoss = [summary.firstLoss, summary.lastLoss].compactMap { $0 }.map(Double.init)
        try Data(identity.utf8).write(to: marker, options: .atomic)
        return model
    }

    // MARK: Evaluation

    /// The arm on the held-out tasks; `followingReference`: the teacher-forced pass instead, where
    /// the tasks' scripted solutions act and every step asks whether the policy would have done the same.
    func evaluateSites(arm: ExperimentSettings.Arm, agent: PolicyAgent, cluster: SiteCluster, tasks: [TaskConfig],
                       folder: URL, cost: inout ArmCost, followingReference: Bool = false) async throws -> EvaluationReport? {
        guard !tasks.isEmpty else { return nil }
        log("==> \(arm.rawValue): \(tasks.count) held-out bundled-site tasks" + (followingReference ? ", teacher-forced on their solutions" : ""))
        let directory = folder.appendingPathComponent(followingReference ? ExperimentReport.referenceStepsFolder : "eval-sites")
        // The forced pass follows a solution to its end, however long (the oracle's own limit).
        let maxSteps = followingReference ? OracleDemonstrations.maxSteps : settings.maxSteps
        let evaluationSettings = EvaluationSettings(label: "\(arm.rawValue) on held-out bundled-site tasks" + (followingReference ? " (teacher-forced)" : ""),
                                                    benchmark: followingReference ? "bundled-sites-reference-steps" : "bundled-sites",
                                                    agent: agent, maxSteps: maxSteps, browser: BrowserBackend.native.rawValue)
        let journal = try EvaluationJournal(directory: directory, settings: evaluationSettings)
        let clock = ProcessClock.start()
        var runner = TaskRunner(agent: agent, cluster: cluster, maxSteps: maxSteps)
        runner.followsReferenceSolution = followingReference
        _ = try await PolicyEvaluation(runner: runner, label: arm.rawValue, backend: .native)
            .run(tasks, instances: settings.instances, journal: journal)
        cost.add(evaluation: clock.elapsed())
        return try EvaluationReport.regenerate(in: directory)
    }

    func evaluateMiniWoB(arm: ExperimentSettings.Arm, agent: PolicyAgent, selection: String, folder: URL,
                         cost: inout ArmCost) async throws -> EvaluationReport {
        let taskSet = try MiniWoBTaskSet.load()
        let tasks = try taskSet.tasks(selectedBy: selection)
        let pages = try MiniWoBPages.prepare()
        log("==> \(arm.rawValue): MiniWoB++ \(tasks.count) tasks × \(settings.miniwobSeeds) seeds")
        let directory = folder.appendingPathComponent("eval-miniwob")
        let evaluation = MiniWoBEvaluation(agent: agent, taskSet: taskSet, pages: pages)
        let evaluationSettings = EvaluationSettings(label: "\(arm.rawValue) on MiniWoB++ (\(selection))", benchmark: "miniwob",
                                                    agent: evaluation.agent, maxSteps: nil, browser: BrowserBackend.chromium.rawValue)
        let journal = try EvaluationJournal(directory: directory, settings: evaluationSettings)
        let clock = ProcessClock.start()
        _ = try await evaluation
            .run(tasks: tasks, seeds: Array(taskSet.evaluationSeeds.seeds.prefix(settings.miniwobSeeds)),
                 concurrency: settings.instances, journal: journal)
        cost.add(evaluation: clock.elapsed())
        return try EvaluationReport.regenerate(in: directory)
    }
}
