import ArgumentParser
import ChromiumBrowser
import Environments
import Models
import Dispatch
import Foundation
import LanguageModels
import LlamaModel
import NNetnavSupport
import Pipeline
import WebTasks
import WebBrowser
import WebSites

struct ExploreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explore",
        abstract: "Explore sites with a language model and store episodes in a crawl store.",
        discussion: """
        Runs NNetnav exploration: a persona-conditioned policy browses for up to 40 actions; after every \
        action a state-change summary is written; every 4 actions a labeler names the instruction the \
        trajectory so far accomplishes and a judge scores it 1-5 (at temperature 0); the episode is pruned \
        below 4 or when nothing new was accomplished. Accepted prefixes become demonstrations with \
        reasoning for each executed action and a final stop action.

        Everything goes to a SQLite crawl store. Rerun the same command after a crash or Ctrl-C to resume: \
        completed episodes are skipped and the interrupted ones restart (model calls replay from the \
        response cache). `--shard i/n` splits the episodes across machines.

        `--miniwob [TASKS]` explores MiniWoB++ task pages in headless Chromium instead of the bundled \
        sites, as NNetnav did: TASKS is nnetnav (NNetnav's 16 tasks, the default), all, or comma-separated \
        task names; episodes go round-robin over the tasks, episode i on seed 1000+i (never an evaluation \
        seed), with personas from prompts/personas/miniwob.txt. The task's instruction is only page \
        content; an episode ends when the task does (its reward is kept in the store) or after the \
        task's exploration limit (20 actions; --max-actions overrides it).

        Examples:
          nnetnav explore --sites shop,forum --episodes 100 --concurrency 4 --model openai:gpt-4o-mini
          nnetnav explore --miniwob --episodes 160 --concurrency 2 --model openai:gpt-4o-mini
          nnetnav explore --miniwob login-user,click-checkboxes-soft --episodes 10
        """)

    @OptionGroup var siteOptions: SiteOptions

    @Option(name: .long, defaultAsFlag: "nnetnav", parsing: .next,
            help: "Explore MiniWoB++ tasks in Chromium instead of sites: nnetnav (NNetnav's 16, the default), all, or comma-separated task names.")
    var miniwob: String? = nil

    @Option(name: .long, help: "Number of episodes (split round-robin over the sites).")
    var episodes = 10

    @Option(name: .long, help: "Episodes run at once, each on its own site instance and browser.")
    var concurrency = 1

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: "Crawl store (SQLite); resumed when it exists. Default: runs/explore/crawl.sqlite (runs/explore-miniwob/ with --miniwob).")
    var store: String?

    @OptionGroup var cacheOptions: CacheOptions

    @Option(name: .long, help: "JSON config file: an ExplorationConfig object, or a file with one under \"exploration\".")
    var config: String?

    @Option(name: .long, help: "Run only the episodes with index i mod n, written i/n (e.g. 0/4).")
    var shard = "0/1"

    @Option(name: .long, help: "Override the maximum actions per episode (default 40; MiniWoB++: each task's limit, 20 for NNetnav's tasks).")
    var maxActions: Int?

    @Option(name: .long, help: "Seed for personas and sampling.")
    var seed: UInt64?

    @OptionGroup var browserOption: BrowserOption

    @Option(name: .long, help: "First port of the bundled site instances (default: free ports).")
    var basePort: Int?

    @Flag(name: .long, help: "Turn off the quality gates (instruction filter, loop guard, contrastive consistency), to measure the pipeline without them.")
    var withoutQualityGates = false

    @Option(name: .long, help: "Price per million prompt tokens, for the cost shown in progress.")
    var promptPrice: Double?

    @Option(name: .long, help: "Price per million completion tokens.")
    var completionPrice: Double?

    func validate() throws {
        guard episodes > 0 else { throw ValidationError("--episodes must be positive") }
        guard concurrency > 0 else { throw ValidationError("--concurrency must be positive") }
        _ = try Shard(parsing: shard)
        if let maxActions, maxActions <= 0 { throw ValidationError("--max-actions must be positive") }
        if miniwob != nil {
            guard siteOptions.sites == nil else { throw ValidationError("--miniwob explores MiniWoB++ tasks instead of --sites: give one of them") }
            guard browserOption.browser != .native else {
                throw ValidationError("--miniwob needs JavaScript, so it runs in Chromium: drop --browser native")
            }
            guard ChromiumBrowser.isInstalled else { throw ValidationError("--miniwob runs in headless Chromium. \(ChromiumError.notInstalled)") }
        }
    }

    /// The crawl store's path: one default folder per kind of crawl, so they never meet in one store.
    var storePath: String {
        store ?? ProjectLayout.current.runs.appendingPathComponent(miniwob == nil ? "explore" : "explore-miniwob")
            .appendingPathComponent("crawl.sqlite").path
    }

    func run() async throws {
        var exploration = try config.map { try ExplorationConfig.load(from: URL(fileURLWithPath: $0)) } ?? ExplorationConfig()
        let spec = try modelOptions.model.spec(option: "--model")
        if case .local = spec, config == nil { exploration = exploration.adaptedForSmallLocalModel() }
        if let maxActions { exploration.maxActions = maxActions }
        if let seed { exploration.seed = seed }
        if withoutQualityGates { exploration = exploration.withoutQualityGates() }
        let store = storePath
        var siteList = siteOptions.sites(or: [.shop]).map(\.rawValue)
        var miniwobTaskSet: MiniWoBTaskSet?
        if let miniwob {
            let taskSet = try MiniWoBTaskSet.load()
            let tasks = try taskSet.tasks(selectedBy: miniwob)
            siteList = tasks.map { MiniWoBPool.site(task: $0.name) }
            if maxActions == nil {
                exploration.siteMaxActions = Dictionary(tasks.map { (MiniWoBPool.site(task: $0.name), taskSet.explorationSteps(for: $0)) },
                                                        uniquingKeysWith: { first, _ in first })
            }
            miniwobTaskSet = taskSet
        }
        let prompts = try PromptLibrary()
        for site in siteList { _ = try prompts.personas(for: site) }

        let pricing = promptPrice.map { ModelPricing(promptPerMillion: $0, completionPerMillion: completionPrice ?? $0) }
        let meter = UsageMeter(pricing: pricing)
        let cachePath = URL(fileURLWithPath: store).deletingLastPathComponent().appendingPathComponent("responses.sqlite").path
        let chatModel = MeteredChatModel(
            wrapping: try cacheOptions.wrap(try modelOptions.make(maxConcurrentRequests: max(4, concurrency * 2)),
                                            defaultPath: cachePath),
            meter: meter)
        let crawlStore = try CrawlStore(path: store)
        let (pool, shutdown) = if let miniwobTaskSet {
            try await makeMiniWoBPool(taskSet: miniwobTaskSet, instances: concurrency)
        } else {
            try await makeEnvironmentPool(sites: siteList, instances: concurrency, store: store)
        }

        let crawler = Crawler(model: chatModel, prompts: prompts, config: exploration, store: crawlStore,
                              environments: pool, sites: siteList, episodes: episodes, shard: try Shard(parsing: shard))
        let progress = ProgressBar(label: "explore", total: episodes, unit: "episodes")
        let crawl = Task { try await crawler.run(progress: progress) { await meter.snapshot().progressStatus } }
        let interrupt = Interrupt.cancelOnInterrupt(crawl)
        defer { interrupt.cancel() }
        let result = await crawl.result
        await shutdown()
        do {
            let summary = try result.get()
            print(summary)
            print("model: \(await meter.snapshot())")
            print("store: \(store)  (next: nnetnav stats --store \(store); nnetnav export --store \(store) --out DIR)")
        } catch is CancellationError {
            print("interrupted; rerun the same command to resume from \(store)")
            throw ExitCode(130)
        }
    }

    /// One browser per site instance over the bundled sites (SiteCluster + BrowserSession), and what stops them.
    func makeEnvironmentPool(sites: [String], instances: Int,
                             store: String) async throws -> (any EnvironmentPool, @Sendable () async -> Void) {
        let names = try sites.map { try SiteName(parsing: $0) }
        let dataDirectory = URL(fileURLWithPath: store).deletingLastPathComponent().appendingPathComponent("env")
        let cluster = try await SiteCluster.start(sites: names, instances: instances, basePort: basePort,
                                                  dataDirectory: dataDirectory, seed: TaskSet.seed)
        let pool = try await SiteClusterPool(cluster: cluster, backend: browserOption.browser ?? .native)
        return (pool, { pool.shutdown(); await cluster.shutdown() })
    }

    /// One Chromium with an environment per instance over the MiniWoB++ pages (fetched on first use).
    func makeMiniWoBPool(taskSet: MiniWoBTaskSet,
                         instances: Int) async throws -> (any EnvironmentPool, @Sendable () async -> Void) {
        let pool = try await MiniWoBPool.launch(pages: try MiniWoBPages.prepare(), instances: instances,
                                                firstSeed: taskSet.explorationFirstSeed)
        return (pool, { pool.shutdown() })
    }
}

/// Counts Ctrl-C presses across signal-handler invocations.
final class InterruptCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() -> Int { lock.withLock { count += 1; return count } }
}
