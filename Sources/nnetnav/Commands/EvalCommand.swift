import ArgumentParser
import ChromiumBrowser
import Environments
import Evaluation
import Models
import Foundation
import LanguageModels
import NNetnavSupport
import Pipeline
import WebSites
import WebTasks

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a policy on task sets of the bundled sites.",
        discussion: """
        Starts the sites the tasks need on loopback, runs the policy on every task (each on a freshly \
        reset site instance, in a fresh browser of the --browser backend, signed in as the task's \
        account), scores the final state with the task's programmatic checks (answer, URL, page \
        content, database state) and reports success per site and difficulty, average steps and \
        failures by cause. Writes episodes.jsonl, report.json and a readable report.html with every step.

        Examples:
          nnetnav eval --policy local --tasks environments/shop/tasks.json --limit 10
          nnetnav eval --policy local:runs/main/checkpoint/model.gguf --sites shop,forum --instances 2
          nnetnav eval --policy openai:gpt-4o-mini --sites wiki
          nnetnav eval --policy local --sites forum --browser chromium
          nnetnav eval --policy local --miniwob nnetnav --seeds 5      (MiniWoB++ in headless Chromium)
        """)

    @OptionGroup var policyOptions: PolicyOptions

    @Option(name: .long, help: "Task files (WebArena JSON format), comma-separated. Default: the task sets of --sites.")
    var tasks: String?

    @OptionGroup(title: "Sites whose bundled task sets run when --tasks is not given (default: shop)")
    var siteOptions: SiteOptions

    @Option(name: .long, help: "Run only the first N tasks of each file, easiest first.")
    var limit: Int?

    @Option(name: .long, help: "Only tasks of at most this difficulty (steps of the reference solution).")
    var maxDifficulty: Int?

    @Option(name: .long, help: "Step limit per task (NNetnav's WebArena evaluation: 20).")
    var maxSteps = 20

    @Option(name: .long, help: "Parallel site instances (tasks run at once).")
    var instances = 1

    @Option(name: .long, help: "Token budget of the policy's chat (prompt + answer), as `nnetnav export --max-sequence-tokens`: the prompt is rendered exactly as the training rows were.")
    var maxSequenceTokens = 4096

    @Option(name: .long, help: "Tokens kept free for the answer, as `nnetnav export --max-answer-tokens`.")
    var maxAnswerTokens = 384

    @Option(name: .long, help: "GGUF file whose tokenizer counts the budget (default: the embedded model), or 'bytes', as for `nnetnav export`.")
    var tokenizer: String?

    @Flag(inversion: .prefixedNo, help: "Re-ask with the page's valid actions as choices when an answer does not parse.")
    var constrainedFallback = true

    @OptionGroup var browserOption: BrowserOption

    @Option(name: .long, help: "Evaluate on MiniWoB++ instead (needs chromium): 'nnetnav' for NNetnav's 16 tasks, 'all', or comma-separated task names.")
    var miniwob: String?

    @Option(name: .long, help: "With --miniwob: how many of the evaluation seeds (42, 43, ...) per task.")
    var seeds = 20

    @OptionGroup var cacheOptions: CacheOptions

    @Option(name: .long, help: "Output folder.")
    var out = ProjectLayout.current.runs.appendingPathComponent("eval").path

    func validate() throws {
        guard instances > 0, maxSteps > 0 else { throw ValidationError("--instances and --max-steps must be positive") }
        if miniwob != nil, browserOption.browser == .native {
            throw ValidationError("MiniWoB++ pages run JavaScript, so --miniwob always uses Chromium: drop --browser native")
        }
    }

    /// The response cache's default place: in the output folder, next to the report.
    var cachePath: String { URL(fileURLWithPath: out).appendingPathComponent("responses.sqlite").path }

    func run() async throws {
        if let miniwob { return try await runMiniWoB(miniwob) }
        let files: [URL] = try tasks.map { $0.split(separator: ",").map { URL(fileURLWithPath: String($0)) } }
            ?? siteOptions.sites(or: [.shop]).map { site in
                ProjectLayout.current.environments.appendingPathComponent(site.rawValue)
                    .appendingPathComponent("tasks.json")
            }
        var selected: [TaskConfig] = []
        for file in files {
            var list = try JSONDecoder().decode([TaskConfig].self, from: Data(contentsOf: file))
            if let maxDifficulty { list = list.filter { $0.difficulty <= maxDifficulty } }
            if let limit { list = Array(list.sorted { ($0.difficulty, $0.taskID) < ($1.difficulty, $1.taskID) }.prefix(limit)) }
            selected += list
        }
        guard !selected.isEmpty else { throw ValidationError("no tasks selected") }
        // Every site a task touches, plus admin with shop (one store database behind both).
        var needed = Set(selected.flatMap(\.sites).compactMap(SiteName.init(rawValue:)))
        if needed.contains(.admin) { needed.insert(.shop) }
        let cluster = try await SiteCluster.start(sites: SiteName.allCases.filter(needed.contains), instances: instances,
                                                  dataDirectory: URL(fileURLWithPath: out).appendingPathComponent("sites"),
                                                  seed: TaskSet.seed)
        do {
            let model = try cacheOptions.wrap(try policyOptions.make(maxConcurrentRequests: 2 * instances), defaultPath: cachePath)
            let meter = UsageMeter()
            let agent = PolicyAgent(model: MeteredChatModel(wrapping: model, meter: meter),
                                    prompt: StudentPrompt(template: try PromptLibrary().studentPolicy,
                                                          maxSequenceTokens: maxSequenceTokens, maxAnswerTokens: maxAnswerTokens,
                                                          tokens: try StudentTokens.counter(tokenizer)),
                                    constrainedFallback: constrainedFallback)
            let runner = TaskRunner(agent: agent, cluster: cluster, maxSteps: maxSteps)
            let episodes = try await PolicyEvaluation(runner: runner, label: "eval", backend: browserOption.browser ?? .native)
                .run(selected, instances: instances)
            let report = try EvaluationReport.write(label: "\(policyOptions.policy.text) on \(selected.count) tasks", episodes: episodes,
                                                    to: URL(fileURLWithPath: out))
            print(report.table)
            print("model: \(await meter.snapshot())")
            print("report: \(out)/report.html")
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
    }

    func runMiniWoB(_ selection: String) async throws {
        let taskSet = try MiniWoBTaskSet.load()
        let tasks = try taskSet.tasks(selectedBy: selection)
        let pages = try MiniWoBPages.prepare()
        let model = try cacheOptions.wrap(try policyOptions.make(), defaultPath: cachePath)
        let meter = UsageMeter()
        let agent = PolicyAgent(model: MeteredChatModel(wrapping: model, meter: meter),
                                prompt: StudentPrompt(template: try PromptLibrary().studentPolicy,
                                                      maxSequenceTokens: maxSequenceTokens, maxAnswerTokens: maxAnswerTokens,
                                                      tokens: try StudentTokens.counter(tokenizer)),
                                constrainedFallback: constrainedFallback)
        let episodes = try await MiniWoBEvaluation(agent: agent, taskSet: taskSet, pages: pages)
            .run(tasks: tasks, seeds: Array(taskSet.evaluationSeeds.seeds.prefix(seeds)))
        let report = try EvaluationReport.write(label: "\(policyOptions.policy.text) on MiniWoB++ (\(tasks.count) tasks × \(seeds) seeds)",
                                                episodes: episodes, to: URL(fileURLWithPath: out))
        print(report.table)
        print("model: \(await meter.snapshot())")
        print("report: \(out)/report.html")
    }
}
