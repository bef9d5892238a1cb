import ArgumentParser
import Foundation
import Pipeline
import PostgresStore

/// Episodes per hour against worker count on one PostgreSQL crawl: 1, 2, 4, 8 `nnetnav explore`
/// processes (each with its own bundled-site instance) against `StandInModelServer`, which answers
/// every call after a fixed latency, so the model is never the bottleneck and neither should the
/// queue be. Then the queue's own cost: claim + buffered writes + the fenced commit of synthetic
/// episodes, in milliseconds per episode, with 1 and 8 concurrent claimers.
struct CrawlScalingBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crawl-scaling",
        abstract: "Episodes/hour at 1, 2, 4, 8 crawl worker processes on one PostgreSQL store; claim+commit overhead per episode.",
        discussion: """
        Needs a PostgreSQL server whose user may create databases: --postgres URL or \
        NNETNAV_BENCH_POSTGRES_URL (scripts/start-test-postgres.sh starts a throwaway one). Each level \
        crawls into a fresh database. The workers are the `nnetnav` next to this executable.
        """)

    @Option(help: "PostgreSQL server (postgres://user@host:port/db); default NNETNAV_BENCH_POSTGRES_URL.")
    var postgres: String?
    @Option(help: "Seconds the stand-in waits before each answer.")
    var latency = 0.2
    @Option(help: "Comma-separated worker-process counts.")
    var workers = "1,2,4,8"
    @Option(help: "Episodes per worker at each level (the crawl has workers × this many).")
    var episodesPerWorker = 3
    @Option(help: "Actions per episode.")
    var actions = 4
    @Option(help: "Synthetic episodes for the claim+commit measurement.")
    var queueEpisodes = 200

    func run() async throws {
        guard let text = postgres ?? ProcessInfo.processInfo.environment["NNETNAV_BENCH_POSTGRES_URL"] else {
            throw ValidationError("give --postgres URL or set NNETNAV_BENCH_POSTGRES_URL")
        }
        let server = try PostgresURL(parsing: text)
        let levels = workers.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !levels.isEmpty, levels.allSatisfy({ $0 > 0 }) else { throw ValidationError("--workers: positive integers, e.g. 1,2,4,8") }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("nnetnav")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw ValidationError("no nnetnav executable at \(executable.path): build it first")
        }
        let prompts = try PromptLibrary()
        print("crawl-scaling: stand-in latency \(latency) s, \(episodesPerWorker) episodes per worker × \(actions) actions on shop; "
              + "\(ProcessInfo.processInfo.activeProcessorCount) cores, load \(Self.load()) at start")
        print("workers  episodes   wall s  episodes/h  per worker/h  efficiency  calls")
        let counter = StandInModelServer.Counter()
        var baseline: Double?
        try await StandInModelServer.with(latency: latency, prompts: prompts, calls: counter) { baseURL in
            for level in levels {
                let url = try await Self.freshDatabase(on: server)
                let episodes = level * episodesPerWorker
                let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-scaling-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: folder) }
                let before = counter.count
                let start = Date()
                let processes = try (0..<level).map { i -> Process in
                    let process = Process()
                    process.executableURL = executable
                    process.arguments = ["explore", "--sites", "shop", "--episodes", "\(episodes)", "--max-actions", "\(actions)",
                                         "--model", "\(baseURL)#stand-in", "--store", url.description,
                                         "--cache", folder.appendingPathComponent("cache-\(i).sqlite").path]
                    process.standardOutput = try FileHandle(forWritingTo: Self.file(folder.appendingPathComponent("worker-\(i).log")))
                    process.standardError = process.standardOutput
                    try process.run()
                    return process
                }
                for process in processes {
                    while process.isRunning { try await Task.sleep(nanoseconds: 50_000_000) }
                    guard process.terminationStatus == 0 else {
                        let log = (try? String(contentsOf: folder.appendingPathComponent("worker-0.log"), encoding: .utf8)) ?? ""
                        throw ValidationError("a worker exited with \(process.terminationStatus):\n\(log.suffix(2000))")
                    }
                }
                let wall = Date().timeIntervalSince(start)
                let perHour = Double(episodes) / wall * 3600
                let perWorker = perHour / Double(level)
                if baseline == nil { baseline = perWorker }
                print(String(format: "%7d %9d %8.1f %11.0f %13.0f %10.0f%% %6d", level, episodes, wall, perHour, perWorker,
                             100 * perWorker / (baseline ?? perWorker), counter.count - before))
            }
        }
        for claimers in [1, 8] { try await queueOverhead(server: server, claimers: claimers) }
        print("load \(Self.load()) at the end (the machine is shared: timings are under that load)")
    }

    /// Claim, 9 steps + 2 checkpoints + 24 model calls buffered, fenced commit: synthetic episodes,
    /// no browser and no model, so the time is the queue's and the database's alone.
    func queueOverhead(server: PostgresURL, claimers: Int) async throws {
        let url = try await Self.freshDatabase(on: server)
        let plans = (0..<queueEpisodes).map { EpisodePlan(index: $0, site: "shop", persona: Persona(name: "P", description: "bench")) }
        let backends = try await (0..<claimers).asyncMap { _ in try await PostgresCrawlBackend.open(url) }
        defer { for backend in backends { backend.session.close() } }
        for backend in backends {
            _ = try await backend.begin(model: "bench", sites: ["shop"], episodes: plans.count, config: ExplorationConfig(), plans: plans)
        }
        let steps = (0...9).map { ExploredStep(index: $0, url: "http://shop.test/p/\($0)", observation: String(repeating: "[1] link 'x'\n", count: 200),
                                               rawOutput: "In summary ```click [1]```", action: $0 < 9 ? "click [1]" : nil) }
        let outcome = EpisodeOutcome(steps: steps, checkpoints: [], stopReason: .maxActions, stopDetail: "bench")
        let start = Date()
        let done = try await withThrowingTaskGroup(of: Int.self) { group in
            for backend in backends {
                group.addTask {
                    var n = 0
                    while let claim = try await backend.claimEpisode() {
                        try await claim.start(startURL: "http://shop.test/", account: nil, shard: "0/1", instance: 0)
                        for step in steps { try await claim.record(step: step) }
                        for call in 0..<24 {
                            try await claim.record(call: ModelCallRecord(module: .policy, step: call / 3, requestHash: "h\(call)",
                                                                         response: "r", promptTokens: 900, completionTokens: 40,
                                                                         latencySeconds: 0.2, cached: false))
                        }
                        _ = try await claim.finish(outcome: outcome, demonstrations: [], skipped: [])
                        n += 1
                    }
                    return n
                }
            }
            return try await group.reduce(0, +)
        }
        let wall = Date().timeIntervalSince(start)
        // Latency: what one episode's claim + commit costs its worker. Throughput: episodes the
        // database takes per second with that many workers committing at once.
        print(String(format: "queue: %d claimers, %d episodes in %.2f s: %.1f ms per episode per worker, %.0f episodes/s in all "
                     + "(claim, 10 steps, 24 calls, fenced commit)",
                     claimers, done, wall, wall * 1000 * Double(claimers) / Double(max(done, 1)), Double(done) / wall))
    }

    static func freshDatabase(on server: PostgresURL) async throws -> PostgresURL {
        let name = "bench_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        let session = try await PostgresSession.connect(server)
        defer { session.close() }
        try await session.execute("CREATE DATABASE \(name)")
        var url = server
        url.database = String(name)
        return url
    }

    static func file(_ url: URL) -> URL {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        return url
    }

    static func load() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)).map { String($0.split(separator: " ").first ?? "?") } ?? "?"
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
