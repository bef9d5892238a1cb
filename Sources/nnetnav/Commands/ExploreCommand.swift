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

        `--sites webarena` explores the real WebArena sites in Chromium: their base URLs come from the \
        environment variables WebArena uses (SHOPPING, SHOPPING_ADMIN, REDDIT, GITLAB, WIKIPEDIA, MAP) or the \
        site map (`--site-map FILE`, default environments/webarena/sites.json), which also declares each site's \
        account, sign-in flow and an optional reset hook run before each episode (--no-reset-hooks skips them). \
        The store holds WebArena's canonical URLs (http://onestopmarket.com, ...).

        `--urls FILE` explores live websites (NNetnav-Live): one start URL a line, each its own site \
        openweb/<host>, with the open-web prompt and personas (prompts/personas/openweb/<host>.txt, else \
        openweb.txt). Each episode stays on its host, robots.txt is honoured, page loads on a host are \
        --rate-limit seconds apart, --max-pages caps the page loads per host, and Chromium sends --user-agent.

        Examples:
          nnetnav explore --sites shop,forum --episodes 100 --concurrency 4 --model openai:gpt-4o-mini
          SHOPPING=http://localhost:7770 REDDIT=http://localhost:9999 nnetnav explore --sites webarena --episodes 50 --model openai:gpt-4o-mini
          nnetnav explore --urls start-urls.txt --episodes 20 --max-pages 200 --model openai:gpt-4o-mini
          nnetnav explore --miniwob --episodes 160 --concurrency 2 --model openai:gpt-4o-mini
          nnetnav explore --miniwob login-user,click-checkboxes-soft --episodes 10
          nnetnav explore --sites shop --episodes 400 --store postgres://crawler@db:5432/nnetnav \
              --model vllm:Qwen/Qwen2.5-7B-Instruct@http://vllm-a:8000/v1
        """)

    @OptionGroup var siteOptions: SiteOptions

    @Option(name: .long, defaultAsFlag: "nnetnav", parsing: .next,
            help: "Explore MiniWoB++ tasks in Chromium instead of sites: nnetnav (NNetnav's 16, the default), all, or comma-separated task names.")
    var miniwob: String? = nil

    @Option(name: .long, help: "Explore live websites (NNetnav-Live): a file of start URLs, one per site, in Chromium.")
    var urls: String?

    @Option(name: .long, help: "WebArena site map (base URLs, accounts, sign-in flows, reset hooks); implies --sites webarena. Default: environments/webarena/sites.json.")
    var siteMap: String?

    @Flag(name: .long, help: "With --sites webarena: do not run the site map's reset hooks before episodes.")
    var noResetHooks = false

    @Option(name: .long, help: "With --urls: at most this many page loads per host for the whole run.")
    var maxPages: Int?

    @Option(name: .long, help: "With --urls: seconds between page loads on one host (robots.txt crawl-delay can lengthen it).")
    var rateLimit: Double = 2

    @Option(name: .long, help: "With --urls: the User-Agent Chromium and the robots.txt fetches send.")
    var userAgent: String = OpenWebPoliteness.defaultUserAgent

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

    /// The student whose rows the crawl becomes: the native viewport is cut to its page share.
    @OptionGroup(title: "Student prompt (sizes the native browser's windows)") var student: StudentPromptOptions

    @Option(name: .long, help: ArgumentHelp("JPEG quality of the screenshot stored with each step when the pages run in Chromium (--browser chromium, MiniWoB++, WebArena, the open web); 0 stores none.",
                                            discussion: "Viewport only; an image over 250 kB is retried at half the quality, then left out. At the default a step's picture is typically 30–80 kB. `nnetnav view` shows it next to the observation."))
    var screenshotQuality = StepScreenshots().jpegQuality

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
        guard (0...100).contains(screenshotQuality) else { throw ValidationError("--screenshot-quality must be 0 (none) to 100") }
        _ = try resolvedShard()
        guard leaseSeconds > 0 else { throw ValidationError("--lease-seconds must be positive") }
        if let maxActions, maxActions <= 0 { throw ValidationError("--max-actions must be positive") }
        if let maxPages, maxPages <= 0 { throw ValidationError("--max-pages must be positive") }
        guard rateLimit >= 0, rateLimit.isFinite else { throw ValidationError("--rate-limit must be a number of seconds >= 0") }
        let sources = [urls != nil, miniwob != nil, isWebArena, siteOptions.sites != nil && !isWebArena].filter { $0 }.count
        guard sources <= 1 else { throw ValidationError("give one of --sites, --sites webarena (or --site-map), --urls and --miniwob") }
        if urls != nil || isWebArena {
            guard browserOption.browser != .native else {
                throw ValidationError("\(urls != nil ? "--urls" : "WebArena") runs in Chromium: drop --browser native")
            }
            guard ChromiumBrowser.isInstalled else { throw ValidationError("this runs in headless Chromium. \(ChromiumError.notInstalled)") }
        }
        if miniwob != nil {
            guard siteOptions.sites == nil else { throw ValidationError("--miniwob explores MiniWoB++ tasks instead of --sites: give one of them") }
            guard browserOption.browser != .native else {
                throw ValidationError("--miniwob needs JavaScript, so it runs in Chromium: drop --browser native")
            }
            guard ChromiumBrowser.isInstalled else { throw ValidationError("--miniwob runs in headless Chromium. \(ChromiumError.notInstalled)") }
        }
    }

    /// `--sites webarena` or a site map.
    var isWebArena: Bool { siteMap != nil || siteOptions.namesWebArena }

    /// The crawl store: one default folder per kind of crawl, so they never meet in one store.
    var storeLocation: StoreLocation {
        let folder = miniwob != nil ? "explore-miniwob" : urls != nil ? "explore-openweb" : isWebArena ? "explore-webarena" : "explore"
        return store ?? .sqlite(path: ProjectLayout.current.runs.appendingPathComponent(folder).appendingPathComponent("crawl.sqlite").path)
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
        var siteList = isWebArena ? [] : siteOptions.sites(or: [.shop]).map(\.rawValue)
        var miniwobTaskSet: MiniWoBTaskSet?
        var openWeb: OpenWebStartList?
        var webArena: (WebArenaSiteMap, WebArenaDeployment)?
        if let urls {
            let list = try OpenWebStartList.load(URL(fileURLWithPath: urls))
            siteList = list.sites.map(\.name)
            openWeb = list
        } else if isWebArena {
            let map = try WebArenaSiteMap.load(siteMap.map { URL(fileURLWithPath: $0) } ?? WebArenaSiteMap.defaultFile())
            let deployment = try map.deployment()
            siteList = WebArenaSite.allCases.filter { $0 != .homepage && deployment.baseURLs[$0] != nil }.map(\.rawValue)
            guard !siteList.isEmpty else {
                throw ValidationError("no WebArena site is deployed: set SHOPPING, SHOPPING_ADMIN, REDDIT, GITLAB, WIKIPEDIA or MAP "
                                      + "to the running site's base URL (or give urls in --site-map)")
            }
            webArena = (map, deployment)
        }
        if let miniwob {
            let taskSet = try MiniWoBTaskSet.load()
            let tasks = try taskSet.tasks(selectedBy: miniwob)
            siteList = tasks.map { MiniWoBPool.site(task: $0.name) }
            if maxActions == nil {
                exploration.siteMaxActions = Dictionary(tasks.map { (MiniWoBPool.site(task: $0.name), taskSet.explorationSteps(for: $0)) },
                                                        uniquingKeysWith: { first, _ in first })
            }
            miniwobTaskSet = taskSet
            // Task pages act in place and state no facts: with grounded labels, a prefix is labeled by its last step.
            exploration.actionLabels = true
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
        } else if let openWeb {
            try await makeOpenWebPool(openWeb, instances: concurrency)
        } else if let (map, deployment) = webArena {
            try await makeWebArenaPool(map, deployment: deployment, instances: concurrency)
        } else {
            try await makeEnvironmentPool(sites: siteList, instances: concurrency, folder: local)
        }

        var crawler = Crawler(model: chatModel, prompts: prompts, config: exploration, backend: backend,
                              environments: pool, sites: siteList, episodes: episodes, shard: try resolvedShard())
        // Native-backend environments cannot take pictures; `StepScreenshots` then stores none.
        crawler.screenshots = screenshotQuality > 0 ? StepScreenshots(jpegQuality: screenshotQuality) : nil
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
        let backend = browserOption.browser ?? .native
        let pool = try await SiteClusterPool(cluster: cluster, backend: backend,
                                             viewportBudget: backend == .native ? try student.prompt().viewportBudget : nil)
        return (pool, { pool.shutdown(); await cluster.shutdown() })
    }

    /// One Chromium sending the crawler's User-Agent, an environment per instance, politeness per host.
    func makeOpenWebPool(_ list: OpenWebStartList, instances: Int) async throws -> (any EnvironmentPool, @Sendable () async -> Void) {
        let politeness = OpenWebPoliteness(userAgent: userAgent, perHostInterval: rateLimit, maxPages: maxPages)
        let pool = try await OpenWebPool.launch(startList: list, politeness: politeness, instances: instances)
        return (pool, { pool.shutdown() })
    }

    /// One Chromium over the deployed WebArena sites, signed in with the site map's flows.
    func makeWebArenaPool(_ map: WebArenaSiteMap, deployment: WebArenaDeployment,
                          instances: Int) async throws -> (any EnvironmentPool, @Sendable () async -> Void) {
        let browser = try await ChromiumBrowser.launch()
        let pool = WebArenaPool(siteMap: map, deployment: deployment, instances: instances, browser: browser,
                                runsResetHooks: !noResetHooks, ownsBrowser: true)
        return (pool, { pool.shutdown() })
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
