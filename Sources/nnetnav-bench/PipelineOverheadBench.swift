import ArgumentParser
import Evaluation
import Environments
import Foundation
import LanguageModels
import NNetnavSupport
import Pipeline
import WebSites
import WebTasks

/// The project's own time per model call when the model is a remote server: a crawl and an
/// evaluation against `StandInModelServer`, which answers every call after a fixed latency. With
/// N episodes at once the ideal is calls × latency / N, or for a crawl the longest episode's calls
/// × latency when that is longer (its calls run one after another: with as many workers as
/// episodes, no scheduling can beat it); whatever the run takes beyond the ideal is ours (HTTP
/// client, response cache and crawl store writes, browser and page rendering, prompt building),
/// printed per call with the scaling against ideal at each concurrency.
struct PipelineOverheadBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline-overhead",
        abstract: "Our own seconds per model call in crawl and eval against a fixed-latency stand-in model server.",
        discussion: """
        Also times the bare HTTP client (the same calls with nothing else around them) and the \
        response cache, so the per-call overhead can be split: client, cache, and the rest \
        (store, browser, rendering, prompts). Target (issue 16): under 5 ms per call, scaling \
        ≥ 90% of ideal at concurrency 16.
        """)

    @Option(help: "Seconds the stand-in waits before each answer.")
    var latency = 0.5
    @Option(help: "Comma-separated concurrency levels.")
    var concurrency = "1,4,16"
    @Option(help: "Episodes per run (crawl) and tasks per run (eval).")
    var episodes = 16
    @Option(help: "Actions per episode.")
    var actions = 8
    @Option(help: "Bundled sites.")
    var sites = "shop,forum,wiki"
    @Option(help: "What to measure: crawl, eval, client or all.")
    var what = "all"

    func run() async throws {
        let levels = concurrency.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !levels.isEmpty, levels.allSatisfy({ $0 > 0 }) else { throw ValidationError("--concurrency: positive integers, e.g. 1,4,16") }
        let siteNames = try sites.split(separator: ",").map { name -> SiteName in
            guard let site = SiteName(rawValue: String(name)) else { throw ValidationError("unknown site \(name)") }
            return site
        }
        let prompts = try PromptLibrary()
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first ?? "?"
        print("pipeline-overhead: stand-in latency \(latency) s, \(episodes) episodes × \(actions) actions on \(sites); "
              + "\(ProcessInfo.processInfo.activeProcessorCount) cores, load \(load) at start")
        print("run            conc  calls   wall s  ideal s  scaling  overhead ms/call  (ideal: calls × latency / conc, or * the longest episode's calls × latency)")
        let counter = StandInModelServer.Counter()
        try await StandInModelServer.with(latency: latency, prompts: prompts, calls: counter) { baseURL in
            for level in levels {
                if what == "all" || what == "client" {
                    try await measure("client", level, counter) { try await bareClient(baseURL, concurrency: level, cached: false) }
                    try await measure("client+cache", level, counter) { try await bareClient(baseURL, concurrency: level, cached: true) }
                }
                if what == "all" || what == "crawl" {
                    try await measure("crawl", level, counter) { try await crawl(baseURL, sites: siteNames, concurrency: level, prompts: prompts) }
                }
                if what == "all" || what == "eval" {
                    try await measure("eval", level, counter) { try await evaluate(baseURL, sites: siteNames, concurrency: level, prompts: prompts) }
                }
            }
        }
        print("load \((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first ?? "?") at the end")
    }

    /// What a measured body reports: its own wall time when it excludes set-up (starting site
    /// instances), and the most calls any one episode made one after another, when known.
    struct Timing { var wall: Double?; var longestChain: Int? }

    /// Prints one row: the ideal is every call's latency spread evenly over the concurrent episodes,
    /// unless one episode's own chain of calls takes longer.
    func measure(_ label: String, _ level: Int, _ counter: StandInModelServer.Counter,
                 _ body: () async throws -> Timing) async throws {
        let before = counter.count
        let clock = ContinuousClock()
        let start = clock.now
        let timed = try await body()
        let elapsed = clock.now - start
        let wall = timed.wall ?? Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let calls = counter.count - before
        let spread = Double(calls) * latency / Double(level)
        let chain = Double(timed.longestChain ?? 0) * latency
        let ideal = max(spread, chain)
        let overhead = calls == 0 ? 0 : (wall - ideal) * Double(level) / Double(calls) * 1000
        print(label.padding(toLength: 14, withPad: " ", startingAt: 0)
              + String(format: " %4d %6d %8.1f %7.1f%@ %7.0f%% %10.1f", level, calls, wall, ideal, chain > spread ? "*" : " ",
                       100 * ideal / wall, overhead))
    }

    func remoteModel(_ baseURL: String, concurrency: Int) throws -> any ChatModel {
        guard case .remote(let remote) = try ChatModelSpec(parsing: "\(baseURL)#stand-in") else { throw ValidationError("not a remote spec") }
        return try remote.makeModel(maxConcurrentRequests: max(4, 2 * concurrency))
    }

    /// The same number of calls as a crawl makes, with nothing around them but the client (and the cache).
    func bareClient(_ baseURL: String, concurrency: Int, cached: Bool) async throws -> Timing {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-overhead-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let remote = try remoteModel(baseURL, concurrency: concurrency)
        let model: any ChatModel = cached
            ? CachedChatModel(wrapping: remote, cache: try ResponseCache(path: directory.appendingPathComponent("r.sqlite").path))
            : remote
        let page = String(repeating: "[12] link 'A product name with some words'\n", count: 60)
        let perWorker = episodes * actions * 4 / concurrency
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    for call in 0..<perWorker {
                        let request = ChatRequest(messages: [ChatMessage(role: .system, content: "You are a stand-in."),
                                                             ChatMessage(role: .user, content: "\(worker)/\(call)\n" + page)],
                                                  options: GenerationOptions(temperature: 1, maxTokens: 64))
                        _ = try await model.complete(request)
                    }
                }
            }
            try await group.waitForAll()
        }
        return Timing(wall: nil, longestChain: perWorker)
    }

    static func seconds(since start: Date) -> Double { Date().timeIntervalSince(start) }

    func crawl(_ baseURL: String, sites: [SiteName], concurrency: Int, prompts: PromptLibrary) async throws -> Timing {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-overhead-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cluster = try await SiteCluster.start(sites: sites, instances: concurrency,
                                                  dataDirectory: directory.appendingPathComponent("env"), seed: TaskSet.seed)
        do {
            let pool = try await SiteClusterPool(cluster: cluster)
            var config = ExplorationConfig()
            config.maxActions = actions
            let model = CachedChatModel(wrapping: try remoteModel(baseURL, concurrency: concurrency),
                                        cache: try ResponseCache(path: directory.appendingPathComponent("responses.sqlite").path))
            let store = try CrawlStore(path: directory.appendingPathComponent("crawl.sqlite").path)
            let crawler = Crawler(model: model, prompts: prompts, config: config, store: store,
                                  environments: pool, sites: sites.map(\.rawValue), episodes: episodes)
            let start = Date()
            _ = try await crawler.run()
            let elapsed = Self.seconds(since: start)
            pool.shutdown()
            await cluster.shutdown()
            return Timing(wall: elapsed, longestChain: try store.uncachedModelCallsPerEpisode().values.max())
        } catch {
            await cluster.shutdown()
            throw error
        }
    }

    func evaluate(_ baseURL: String, sites: [SiteName], concurrency: Int, prompts: PromptLibrary) async throws -> Timing {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-overhead-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var tasks: [TaskConfig] = []
        for site in sites { tasks += try TaskSet.load(site: site).tasks }
        tasks = Array(tasks.sorted { ($0.difficulty, $0.taskID) < ($1.difficulty, $1.taskID) }.prefix(episodes))
        var needed = Set(tasks.flatMap(\.sites).compactMap(SiteName.init(rawValue:)))
        if needed.contains(.admin) { needed.insert(.shop) }
        let cluster = try await SiteCluster.start(sites: SiteName.allCases.filter(needed.contains), instances: concurrency,
                                                  dataDirectory: directory.appendingPathComponent("env"), seed: TaskSet.seed)
        do {
            let agent = PolicyAgent(model: try remoteModel(baseURL, concurrency: concurrency),
                                    prompt: StudentPrompt(template: prompts.studentPolicy))
            let settings = EvaluationSettings(label: "overhead", benchmark: "bundled-sites", agent: agent, maxSteps: actions,
                                              browser: "native")
            let journal = try EvaluationJournal(directory: directory, settings: settings)
            let start = Date()
            _ = try await PolicyEvaluation(runner: TaskRunner(agent: agent, cluster: cluster, maxSteps: actions))
                .run(tasks, instances: concurrency, journal: journal, progress: false)
            let elapsed = Self.seconds(since: start)
            await cluster.shutdown()
            return Timing(wall: elapsed, longestChain: nil)
        } catch {
            await cluster.shutdown()
            throw error
        }
    }
}
