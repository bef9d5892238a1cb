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
import PostgresStore
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
        response cache). `--shard i/n` splits the episodes across machines (static shards, one SQLite \
        store each, merged afterwards with `nnetnav store merge`); without it, a Kubernetes Indexed Job's \
        JOB_COMPLETION_INDEX or a SLURM array's SLURM_ARRAY_TASK_ID picks the shard, out of --shards \
        (or NNETNAV_SHARDS, or SLURM_ARRAY_TASK_COUNT).

        `--store postgres://user@host:port/db` shares one crawl between any number of worker processes \
        on any number of machines: each claims the next episode from a queue in the database under a \
        lease it renews while it works, and commits the finished episode in one transaction. A worker \
        that dies loses its lease after --lease-seconds and another redoes its episode; start more \
        workers at any time. Scheduler shard variables are ignored with PostgreSQL (the queue balances).

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
          nnetnav explore --sites shop --episodes 400 --store postgres://crawler@db:5432/nnetnav \
              --model vllm:Qwen/Qwen2.5-7B-Instruct@http://vllm-a:8000/v1
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

    @Option(name: .long, help: "Crawl store: a SQLite file (resumed when it exists), or postgres://user@host:port/db shared by many workers. Default: runs/explore/crawl.sqlite (runs/explore-miniwob/ with --miniwob).")
    var store: StoreLocation?

    @Option(name: .long, help: "With a postgres:// store: seconds a claimed episode stays this worker's without a heartbeat (renewed every third of it); a dead worker's episode is redone after this long.")
    var leaseSeconds = 60.0

    @OptionGroup var cacheOptions: CacheOptions

    @Option(name: .long, help: "JSON config file: an ExplorationConfig object, or a file with one under \"exploration\".")
    var config: String?

    @Option(name: .long, help: "Run only the episodes with index i mod n, written i/n (e.g. 0/4). Default: from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID with a SQLite store, else all.")
    var shard: String?

    @Option(name: .long, help: "Number of shards when the shard index comes from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID (default: NNETNAV_SHARDS, or SLURM_ARRAY_TASK_COUNT).")
    var shards: Int?

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
        _ = try resolvedShard()
        guard leaseSeconds > 0 else { throw ValidationError("--lease-seconds must be positive") }
        if let maxActions, maxActions <= 0 { throw ValidationError("--max-actions must be positive") }
        if miniwob != nil {
            guard siteOptions.sites == nil else { throw ValidationError("--miniwob explores MiniWoB++ tasks instead of --sites: give one of them") }
            guard browserOption.browser != .native else {
                throw ValidationError("--miniwob needs JavaScript, so it runs in Chromium: drop --browser native")
            }
            guard ChromiumBrowser.isInstalled else { throw ValidationError("--miniwob runs in headless Chromium. \(ChromiumError.notInstalled)") }
        }
    }

    /// The crawl store: one default folder per kind of crawl, so they never meet in one store.
    var storeLocation: StoreLocation {
        store ?? .sqlite(path: ProjectLayout.current.runs.appendingPathComponent(miniwob == nil ? "explore" : "explore-miniwob")
            .appendingPathComponent("crawl.sqlite").path)
    }

    /// `--shard`, else a batch scheduler's index for a SQLite store (a shared store balances by itself).
    func resolvedShard() throws -> Shard {
        if let shard { return try Shard(parsing: shard) }
        if case .postgres = storeLocation { return .all }
        return try Shard.fromEnvironment(ProcessInfo.processInfo.environment, count: shards) ?? .all
    }

    /// The folder for this process's local files: the SQLite store's folder, or a private one per
    /// worker of a shared store (several may run on one machine).
    var localFolder: URL {
        switch storeLocation {
        case .sqlite(let path): return URL(fileURLWithPath: path).deletingLastPathComponent()
        case .postgres:
            return ProjectLayout.current.runs.appendingPathComponent("explore-worker-\(ProcessInfo.processInfo.processIdentifier)")
        }
    }

    func run() async throws {
        var exploration = try config.map { try ExplorationConfig.load(from: URL(fileURLWithPath: $0)) } ?? ExplorationConfig()
        let spec = try modelOptions.model.spec(option: "--model")
        if case .local = spec, config == nil { exploration = exploration.adaptedForSmallLocalModel() }
        if let maxActions { exploration.maxActions = maxActions }
        if let seed { exploration.seed = seed }
        if withoutQualityGates { exploration = exploration.withoutQualityGates() }
        let store = storeLocation
        let local = localFolder
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
        let cachePath = (store.isShared ? ProjectLayout.current.runs.appendingPathComponent("explore") : local)
            .appendingPathComponent("responses.sqlite").path
        let chatModel = MeteredChatModel(
            wrapping: try await cacheOptions.wrapAllowingShared(try modelOptions.make(maxConcurrentRequests: max(4, concurrency * 2)),
                                                                defaultPath: cachePath),
            meter: meter)
        let backend: any CrawlBackend = switch store {
        case .sqlite(let path): SQLiteCrawlBackend(store: try CrawlStore(path: path))
        case .postgres(let url): try await PostgresCrawlBackend.open(url, leaseSeconds: leaseSeconds)
        }
        let (pool, shutdown) = if let miniwobTaskSet {
            try await makeMiniWoBPool(taskSet: miniwobTaskSet, instances: concurrency)
        } else {
            try await makeEnvironmentPool(sites: siteList, instances: concurrency, folder: local)
        }

        let crawler = Crawler(model: chatModel, prompts: prompts, config: exploration, backend: backend,
                              environments: pool, sites: siteList, episodes: episodes, shard: try resolvedShard())
        let progress = ProgressBar(label: "explore", total: episodes, unit: "episodes")
        let crawl = Task { try await crawler.run(progress: progress) { await meter.snapshot().progressStatus } }
        let interrupt = Interrupt.cancelOnInterrupt(crawl)
        defer { interrupt.cancel() }
        let result = await crawl.result
        await shutdown()
        if store.isShared { try? FileManager.default.removeItem(at: local) }
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
                             folder: URL) async throws -> (any EnvironmentPool, @Sendable () async -> Void) {
        let names = try sites.map { try SiteName(parsing: $0) }
        let dataDirectory = folder.appendingPathComponent("env")
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
