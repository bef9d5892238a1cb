import ChromiumBrowser
import Foundation
import LanguageModels
import LlamaModel
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
    /// Builds a remote model from a spec; the local engine is built here.
    public var log: @Sendable (String) -> Void

    public init(config: MainJobConfig, layout: ProjectLayout = .current,
                log: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        self.config = config
        self.layout = layout
        self.log = log
    }

    public var outputDirectory: URL {
        config.output.hasPrefix("/") ? URL(fileURLWithPath: config.output) : layout.root.appendingPathComponent(config.output)
    }

    public func run() async throws -> MainJobSummary {
        var summary = MainJobSummary()
        let out = outputDirectory
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let siteNames = try config.sites.map { name -> SiteName in
            guard let site = SiteName(rawValue: name) else {
                throw MainJobError.badConfig("unknown site '\(name)'; bundled: \(SiteName.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return site
        }

        // 1. Sites. Their content is seeded with the seed the task sets were written for, so the
        // tasks' reference answers hold; `config.seed` varies exploration only.
        log("==> starting sites \(config.sites.joined(separator: ", ")) × \(config.instances) on loopback")
        let clock = Date()
        let cluster = try await SiteCluster.start(sites: siteNames, instances: config.instances,
                                                  dataDirectory: out.appendingPathComponent("sites"), seed: TaskSet.seed)
        summary.add("sites", since: clock, "\(config.sites.joined(separator: ", ")) × \(config.instances) instances")
        do {
            try await runStages(cluster: cluster, out: out, summary: &summary)
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
        return summary
    }

    private func runStages(cluster: SiteCluster, out: URL, summary: inout MainJobSummary) async throws {
        let prompts = try PromptLibrary(directory: layout.prompts)
        let meter = UsageMeter()
        let cache = try ResponseCache(path: out.appendingPathComponent("responses.sqlite").path)
        let spec = try ChatModelSpec(parsing: config.model)
        let baseModel = try ModelFactory.make(spec, apiKeyEnvironmentVariable: config.apiKeyEnv,
                                              maxConcurrentRequests: max(4, 2 * config.instances), layout: layout)
        // The embedded explorer doubles as the "before" policy: one copy of the weights in memory.
        let embedded = baseModel as? LocalChatModel
        let explorer = MeteredChatModel(wrapping: CachedChatModel(wrapping: baseModel, cache: cache), meter: meter)

        // 2. Explore.
        log("==> exploring: \(config.episodes) episodes with \(baseModel.identifier)")
        var clock = Date()
        let store = try CrawlStore(path: out.appendingPathComponent("crawl.sqlite").path)
        var exploration = config.exploration
        exploration.seed = config.seed
        guard let backend = BrowserBackend(rawValue: config.browser) else {
            throw MainJobError.badConfig("browser must be native or chromium, not '\(config.browser)'")
        }
        let pool = try await SiteClusterPool(cluster: cluster, backend: backend)
        defer { pool.shutdown() }
        let crawler = Crawler(model: explorer, prompts: prompts, config: exploration, store: store,
                              environments: pool, sites: config.sites, episodes: config.episodes, shard: .all)
        let bar = ProgressBar(label: "explore", total: config.episodes, unit: "episodes")
        let crawl = try await crawler.run(progress: bar) { await meter.snapshot().progressStatus }
        bar.finish()
        summary.crawl = crawl
        summary.add("explore", since: clock, "\(crawl)")
        // Quality hook (Pipeline/Stats/QualityReport): the data-quality table in the summary, and its HTML report.
        if let quality = try? QualityReport(store: store) {
            summary.quality = quality.table
            try? Data(quality.html.utf8).write(to: out.appendingPathComponent("quality.html"), options: .atomic)
        }

        // 3. Export.
        clock = Date()
        var exporter = DatasetExporter(studentPrompt: prompts.studentPolicy)
        exporter.maxSequenceTokens = config.export.maxSequenceTokens
        exporter.validationPercent = config.export.validationPercent
        exporter.seed = config.seed
        let datasetDirectory = out.appendingPathComponent("dataset")
        let exported = try exporter.export(try store.demonstrations(), to: datasetDirectory)
        summary.add("export", since: clock, "\(exported)")
        summary.demonstrations = exported.demonstrations

        // 4. Fine-tune.
        let baseFile = config.training.baseModel.map { URL(fileURLWithPath: $0) } ?? layout.defaultModelFile
        let checkpoint = out.appendingPathComponent("checkpoint")
        var trained: URL?
        let trainFile = datasetDirectory.appendingPathComponent("sft_train.jsonl")
        if (exported.rows[.train] ?? 0) == 0 {
            summary.add("train", since: Date(), "skipped: the crawl produced no training rows")
        } else {
            log("==> fine-tuning \(baseFile.lastPathComponent) on \(exported.rows[.train] ?? 0) rows")
            clock = Date()
            var options = TrainingOptions()
            options.steps = config.training.steps
            options.batchSize = config.training.batchSize
            options.sequenceLength = config.training.sequenceLength
            options.seed = config.seed
            options.optimizer.learningRate = config.training.learningRate
            options.optimizer.warmupSteps = config.training.warmupSteps
            options.optimizer.totalSteps = config.training.steps
            options.lora = config.training.loraRank > 0
                ? LoRAConfig(rank: config.training.loraRank, alpha: config.training.loraAlpha) : nil
            let trainingOptions = options
            let result = try await Self.offCooperativePool {
                try TrainingRun(data: trainFile, model: .file(baseFile), tokenizerFile: baseFile,
                                output: checkpoint, options: trainingOptions).run()
            }
            summary.trainingLoss = (result.firstLoss, result.lastLoss)
            summary.add("train", since: clock, String(format: "%d steps, loss %@ → %@, %.0f tok/s",
                                                      result.steps, Self.format(result.firstLoss), Self.format(result.lastLoss),
                                                      result.tokensPerSecond))
            trained = checkpoint.appendingPathComponent("model.gguf")
        }

        // 5. Evaluate before and after on held-out tasks.
        let tasks = try heldOutTasks()
        let studentPrompt = StudentPrompt(template: prompts.studentPolicy,
                                          maxObservationTokens: config.evaluation.maxObservationTokens)
        let options = GenerationOptions(temperature: 0, maxTokens: config.evaluation.policyMaxTokens)
        func evaluate(_ model: any ChatModel, label: String) async throws -> EvaluationReport {
            let clock = Date()
            let agent = PolicyAgent(model: MeteredChatModel(wrapping: CachedChatModel(wrapping: model, cache: cache), meter: meter),
                                    prompt: studentPrompt, options: options)
            let runner = TaskRunner(agent: agent, cluster: cluster, maxSteps: config.evaluation.maxSteps)
            let episodes = try await PolicyEvaluation(runner: runner, label: label, backend: backend)
                .run(tasks, instances: min(config.evaluation.instances, config.instances))
            let report = try EvaluationReport.write(label: label, episodes: episodes,
                                                               to: out.appendingPathComponent("eval-\(label)"))
            summary.add("eval \(label)", since: clock, "success \(report.overall.text), constrained steps "
                        + String(format: "%.0f%%", 100 * report.constrainedStepShare))
            return report
        }
        let policyBase: any ChatModel
        if let embedded { policyBase = embedded } else { policyBase = try LocalChatModel(modelFile: baseFile) }
        if config.evaluation.baseline {
            log("==> evaluating the base model on \(tasks.count) held-out tasks")
            summary.before = try await evaluate(policyBase, label: "before")
        }
        if let trained {
            log("==> evaluating the fine-tuned model")
            summary.after = try await evaluate(try LocalChatModel(modelFile: trained), label: "after")
        }
        summary.usage = await meter.snapshot().description
    }

    /// The evaluation tasks: for each explored site, the easiest `tasksPerSite` tasks up to
    /// `maxDifficulty` steps. Exploration never sees tasks, so all of them are held out.
    func heldOutTasks() throws -> [TaskConfig] {
        var tasks: [TaskConfig] = []
        for name in config.sites {
            guard let site = SiteName(rawValue: name) else { continue }
            let set = try TaskSet.load(site: site, layout: layout)
            let easy = set.tasks.filter { $0.difficulty <= config.evaluation.maxDifficulty }
                .sorted { ($0.difficulty, $0.taskID) < ($1.difficulty, $1.taskID) }
            tasks += easy.prefix(config.evaluation.tasksPerSite)
        }
        return tasks
    }

    static func format(_ loss: Float?) -> String { loss.map { String(format: "%.3f", $0) } ?? "-" }

    /// Training is long synchronous CPU work; it runs on its own thread, not a cooperative one.
    static func offCooperativePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
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
    /// The crawl's data-quality table (`QualityReport.table`).
    public var quality = ""

    mutating func add(_ name: String, since start: Date, _ result: String) {
        stages.append(Stage(name: name, seconds: Date().timeIntervalSince(start), result: result))
    }

    /// One table: stage, time, outcome; then the before/after comparison.
    public var table: String {
        var lines = ["stage        time      result", String(repeating: "─", count: 78)]
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
        if !quality.isEmpty { lines.append(""); lines.append(quality) }
        return lines.joined(separator: "\n")
    }
}
