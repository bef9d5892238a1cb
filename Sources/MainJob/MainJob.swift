import ChromiumBrowser
import Evaluation
import Environments
import Foundation
import LanguageModels
import LlamaModel
import Models
import NNetnavSupport
import Pipeline
import Trainer
import WebSites
import WebTasks

/// `nnetnav run`: start the bundled sites, explore them with a model, export the demonstrations,
/// fine-tune the embedded model on them and evaluate it before and after on held-out tasks.
///
/// Rerunning with the same output folder resumes: finished episodes are kept (crawl store) and
/// model calls already made are replayed from the response cache.
public struct MainJob: Sendable {
    public var config: MainJobConfig
    public var layout: ProjectLayout
    /// How the explorer's and the policies' calls use the response cache (`replay` reproduces a run).
    public var cacheMode: CachedChatModel.Mode
    /// The explorer's model (the teacher); nil builds it from `config.teacher`. (Tests give a scripted test double,
    /// so that demonstrations, hence fine-tuning, are certain.)
    public var explorer: (any ChatModel)?
    public var log: @Sendable (String) -> Void

    public init(config: MainJobConfig, layout: ProjectLayout = .current, cacheMode: CachedChatModel.Mode = .readWrite,
                log: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        self.config = config
        self.layout = layout
        self.cacheMode = cacheMode
        self.log = log
    }

    public var outputDirectory: URL {
        config.output.hasPrefix("/") ? URL(fileURLWithPath: config.output) : layout.root.appendingPathComponent(config.output)
    }

    public func run() async throws -> MainJobSummary {
        var summary = MainJobSummary()
        let out = outputDirectory
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let siteNames = try config.sites.map { try SiteName(parsing: $0) }

        // 1. Sites. Their content is seeded with the seed the task sets were written for, so the
        // tasks' reference answers hold; `config.seed` varies exploration only.
        log("==> starting sites \(config.sites.joined(separator: ", ")) × \(config.instances) on loopback")
        let clock = Date()
        let cluster = try await SiteCluster.start(sites: siteNames, instances: config.instances,
                                                  dataDirectory: out.appendingPathComponent("sites"), seed: TaskSet.seed)
        summary.add("sites", since: clock, "\(config.sites.joined(separator: ", ")) × \(config.instances) instances")
        summary.teacher = explorer?.identifier ?? config.teacher
        summary.student = config.student == "local" ? "local (\(layout.defaultModelFile.lastPathComponent))" : config.student
        do {
            try await runStages(cluster: cluster, out: out, summary: &summary)
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
        return summary
    }

    /// What every stage after the sites shares: where outputs go, the prompts, the usage meter and
    /// the response cache.
    private struct Stages {
        let cluster: SiteCluster
        let out: URL
        let prompts: PromptLibrary
        let meter: UsageMeter
        let cache: ResponseCache
        let backend: BrowserBackend
        /// One prompt renderer, budgeted in the student's tokens, for the SFT rows and for evaluation.
        let studentPrompt: StudentPrompt
    }

    private func runStages(cluster: SiteCluster, out: URL, summary: inout MainJobSummary) async throws {
        guard let backend = BrowserBackend(rawValue: config.browser) else {
            throw MainJobError.badConfig("browser must be native or chromium, not '\(config.browser)'")
        }
        guard config.export.maxSequenceTokens <= config.training.sequenceLength else {
            throw MainJobError.badConfig("export.maxSequenceTokens (\(config.export.maxSequenceTokens)) exceeds "
                + "training.sequenceLength (\(config.training.sequenceLength)): the trainer would have to cut rows")
        }
        let prompts = try PromptLibrary(directory: layout.prompts)
        let studentPrompt = StudentPrompt(template: prompts.studentPolicy, maxSequenceTokens: config.export.maxSequenceTokens,
                                          maxAnswerTokens: max(config.export.maxAnswerTokens, config.evaluation.policyMaxTokens),
                                          tokens: try .tokenizer(of: baseModelFile))
        let stages = Stages(cluster: cluster, out: out, prompts: prompts,
                            meter: UsageMeter(),
                            cache: try ResponseCache(path: out.appendingPathComponent("responses.sqlite").path),
                            backend: backend, studentPrompt: studentPrompt)
        let baseModel = try explorer ?? ModelFactory.make(try ChatModelSpec(parsing: config.teacher),
                                                          apiKeyEnvironmentVariable: config.apiKeyEnv,
                                                          maxConcurrentRequests: max(4, 2 * config.instances), layout: layout)
        let store = try await explore(with: baseModel, stages, summary: &summary)
        let trainingRows = try export(store, stages, summary: &summary)
        let trained = try await fineTune(on: trainingRows, stages, summary: &summary)
        // The embedded explorer doubles as the "before" policy: one copy of the weights in memory.
        let before: any ChatModel = try (baseModel as? LocalChatModel) ?? LocalChatModel(modelFile: baseModelFile)
        try await evaluate(before: before, after: trained, stages, summary: &summary)
        summary.usage = await stages.meter.snapshot().description
    }

    /// The starting checkpoint of fine-tuning, and the "before" policy when the explorer is remote.
    private var baseModelFile: URL {
        config.studentPath.isEmpty ? layout.defaultModelFile : URL(fileURLWithPath: config.studentPath)
    }

    /// `model` with its calls going through the run's response cache (in the run's mode) and meter.
    private func cachedAndMetered(_ model: any ChatModel, _ stages: Stages) -> any ChatModel {
        MeteredChatModel(wrapping: CachedChatModel(wrapping: model, cache: stages.cache, mode: cacheMode), meter: stages.meter)
    }

    /// Stage 2: explore the sites with the model; returns the crawl store.
    private func explore(with model: any ChatModel, _ stages: Stages, summary: inout MainJobSummary) async throws -> CrawlStore {
        log("==> exploring: \(config.episodes) episodes with \(model.identifier)")
        let clock = Date()
        let store = try CrawlStore(path: stages.out.appendingPathComponent("crawl.sqlite").path)
        var exploration = config.exploration
        exploration.seed = config.seed
        let pool = try await SiteClusterPool(cluster: stages.cluster, backend: stages.backend,
                                             viewportBudget: stages.studentPrompt.viewportBudget)
        defer { pool.shutdown() }
        var crawler = Crawler(model: cachedAndMetered(model, stages), prompts: stages.prompts, config: exploration,
                              store: store, environments: pool, sites: config.sites, episodes: config.episodes, shard: .all)
        // As `explore`: steps in Chromium keep a picture of their page for `nnetnav view`; native ones have none.
        crawler.screenshots = config.screenshotQuality > 0 ? StepScreenshots(jpegQuality: config.screenshotQuality) : nil
        let bar = ProgressBar(label: "explore", total: config.episodes, unit: "episodes")
        let meter = stages.meter
        let crawl = try await crawler.run(progress: bar) { await meter.snapshot().progressStatus }
        bar.finish()
        summary.crawl = crawl
        summary.add("explore", since: clock, "\(crawl)")
        summary.yield = (try? CrawlStats(store: store))?.costLine ?? ""
        // The data-quality table in the summary, and its HTML report beside the crawl.
        if let quality = try? QualityReport(store: store) {
            summary.quality = quality.table
            try? Data(quality.html.utf8).write(to: stages.out.appendingPathComponent("quality.html"), options: .atomic)
        }
        return store
    }

    /// Stage 3: export the demonstrations as chat rows; returns the training file, or nil when empty.
    private func export(_ store: CrawlStore, _ stages: Stages, summary: inout MainJobSummary) throws -> (file: URL, rows: Int)? {
        let clock = Date()
        var exporter = DatasetExporter(studentPrompt: stages.studentPrompt)
        exporter.validationPercent = config.export.validationPercent
        exporter.seed = config.seed
        let directory = stages.out.appendingPathComponent("dataset")
        let exported = try exporter.export(try store.demonstrations(), to: directory)
        summary.add("export", since: clock, "\(exported)")
        summary.demonstrations = exported.demonstrations
        let rows = exported.rows[.train] ?? 0
        return rows == 0 ? nil : (directory.appendingPathComponent("sft_train.jsonl"), rows)
    }

    /// Stage 4: fine-tune the base model on the training rows; returns the checkpoint, or nil when
    /// there was nothing to train on.
    private func fineTune(on trainingRows: (file: URL, rows: Int)?, _ stages: Stages,
                          summary: inout MainJobSummary) async throws -> URL? {
        guard case let (trainFile, rows)? = trainingRows else {
            summary.add("train", since: Date(), "skipped: the crawl produced no training rows")
            return nil
        }
        let baseFile = baseModelFile
        log("==> fine-tuning \(baseFile.lastPathComponent) on \(rows) rows")
        let clock = Date()
        let checkpoint = stages.out.appendingPathComponent("checkpoint")
        let options = config.training.options(seed: config.seed)
        let result = try await Self.offCooperativePool {
            try TrainingRun(data: trainFile, model: .file(baseFile), tokenizerFile: baseFile,
                            output: checkpoint, options: options).run()
        }
        summary.trainingLoss = (result.firstLoss, result.lastLoss)
        summary.add("train", since: clock, String(format: "%d steps, loss %@ → %@, %.0f tok/s",
                                                  result.steps, Self.format(result.firstLoss), Self.format(result.lastLoss),
                                                  result.tokensPerSecond))
        return checkpoint.appendingPathComponent("model.gguf")
    }

    /// Stage 5: evaluate the base model (if asked) and the fine-tuned one on held-out tasks.
    private func evaluate(before: any ChatModel, after trained: URL?, _ stages: Stages,
                          summary: inout MainJobSummary) async throws {
        let tasks = try heldOutTasks()
        if config.evaluation.baseline {
            log("==> evaluating the base model on \(tasks.count) held-out tasks")
            summary.before = try await evaluate(before, label: "before", on: tasks, stages, summary: &summary)
        }
        if let trained {
            log("==> evaluating the fine-tuned model")
            summary.after = try await evaluate(try LocalChatModel(modelFile: trained), label: "after", on: tasks, stages,
                                               summary: &summary)
        }
        if summary.before != nil, summary.after != nil {
            // The tasks training fixed and broke, as a page beside the two reports.
            let page = stages.out.appendingPathComponent("eval-comparison.html")
            let comparison = try EvaluationComparison.write(before: stages.out.appendingPathComponent("eval-before"),
                                                            after: stages.out.appendingPathComponent("eval-after"), to: page)
            log(comparison.table)
            log("==> before/after comparison: \(page.path)")
        }
    }

    private func evaluate(_ model: any ChatModel, label: String, on tasks: [TaskConfig], _ stages: Stages,
                          summary: inout MainJobSummary) async throws -> EvaluationReport {
        let clock = Date()
        let settings = config.evaluation
        let agent = PolicyAgent(model: cachedAndMetered(model, stages),
                                prompt: stages.studentPrompt,
                                options: GenerationOptions(temperature: 0, maxTokens: settings.policyMaxTokens),
                                decoding: PolicyDecoding(rawValue: settings.decoding) ?? .choice)
        let runner = TaskRunner(agent: agent, cluster: stages.cluster, maxSteps: settings.maxSteps)
        let episodes = try await PolicyEvaluation(runner: runner, label: label, backend: stages.backend)
            .run(tasks, instances: min(settings.instances, config.instances))
        let report = try EvaluationReport.write(label: label, episodes: episodes,
                                                to: stages.out.appendingPathComponent("eval-\(label)"))
        summary.add("eval \(label)", since: clock, "success \(report.overall.text), constrained steps "
                    + String(format: "%.0f%%", 100 * report.constrainedStepShare))
        return report
    }

    /// The evaluation tasks: for each explored site, the easiest `tasksPerSite` tasks up to
    /// `maxDifficulty` steps of the recorded split's held-out part (`datasets/experiment/split.json`),
    /// the same tasks `nnetnav experiment` evaluates. Exploration never sees tasks.
    func heldOutTasks() throws -> [TaskConfig] {
        let split = try TaskSplit.load(layout: layout)
        var tasks: [TaskConfig] = []
        for name in config.sites {
            guard let site = SiteName(rawValue: name) else { continue }
            let set = try TaskSet.load(site: site, layout: layout)
            tasks += split.tasks(of: set, heldOut: true).filter { $0.difficulty <= config.evaluation.maxDifficulty }
                .prefix(config.evaluation.tasksPerSite)
        }
        return tasks
    }

    static func format(_ loss: Float?) -> String { loss.map { String(format: "%.3f", $0) } ?? "-" }

    /// Training is long synchronous CPU work; it runs on its own thread, not a cooperative one.
    public static func offCooperativePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.stackSize = 16 << 20
            thread.start()
        }
    }
}

/// What the main job did, stage by stage.
public struct MainJobSummary: Sendable {
    public struct Stage: Sendable {
        public var name: String
        public var seconds: Double
        public var result: String
    }

    public var stages: [Stage] = []
    public var crawl: Crawler.Summary?
    public var demonstrations = 0
    public var trainingLoss: (first: Float?, last: Float?)?
    public var before: EvaluationReport?
    public var after: EvaluationReport?
    public var usage = ""
    /// The model that explored, labeled and judged, and the checkpoint that was fine-tuned and evaluated.
    public var teacher = ""
    public var student = ""
    /// The crawl's data-quality table (`QualityReport.table`).
    public var quality = ""
    /// Model calls and tokens per accepted demonstration (`CrawlStats.costLine`).
    public var yield = ""

    mutating func add(_ name: String, since start: Date, _ result: String) {
        stages.append(Stage(name: name, seconds: Date().timeIntervalSince(start), result: result))
    }

    /// One table: stage, time, outcome; then the before/after comparison.
    public var table: String {
        var lines = ["teacher (explores, labels, judges): \(teacher)", "student (fine-tuned, evaluated):    \(student)", "",
                     "stage        time      result", String(repeating: "─", count: 78)]
        for stage in stages {
            lines.append(stage.name.padding(toLength: 12, withPad: " ", startingAt: 0) + " "
                         + ProgressBar.format(seconds: stage.seconds).padding(toLength: 9, withPad: " ", startingAt: 0)
                         + " " + stage.result)
        }
        let total = stages.map(\.seconds).reduce(0, +)
        lines.append(String(repeating: "─", count: 78))
        lines.append("total        " + ProgressBar.format(seconds: total))
        if before != nil || after != nil {
            lines.append("")
            lines.append("held-out task success   before: \(before?.overall.text ?? "-")   after: \(after?.overall.text ?? "-")")
        }
        if !usage.isEmpty { lines.append("model usage: \(usage)") }
        if !yield.isEmpty { lines.append(yield) }
        if !quality.isEmpty { lines.append(""); lines.append(quality) }
        return lines.joined(separator: "\n")
    }
}
