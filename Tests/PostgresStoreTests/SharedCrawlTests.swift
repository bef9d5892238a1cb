import Foundation
import GRDB
import LanguageModels
import NNetnavSupport
import Pipeline
import PostgresStore
import TestSupport
import XCTest

/// Crawls with the real `nnetnav` executable as separate worker processes on one PostgreSQL store,
/// against a loopback model server that answers with the `CannedChatModel` test double, compared
/// with the same crawl done by one process on a SQLite store.
final class SharedCrawlTests: XCTestCase {
    static let episodes = 40

    /// The crawl options every run shares: same sites, episode count, model and config.
    static func crawlArguments(model: String, episodes: Int = episodes, maxActions: Int = 6) -> [String] {
        ["explore", "--sites", "shop", "--episodes", "\(episodes)", "--max-actions", "\(maxActions)", "--model", model,
         "--seed", "7"]
    }

    static func exportFiles(store: String, in folder: URL) async throws -> [String: Data] {
        let out = folder.appendingPathComponent("export-\(UUID().uuidString)")
        try await NNetnavProcess.run(["export", "--store", store, "--out", out.path, "--tokenizer", "bytes",
                                      "--max-sequence-tokens", "4096"],
                                     log: folder.appendingPathComponent("export-\(UUID().uuidString).log"))
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: out.path) where name.hasSuffix(".jsonl") {
            files[name] = try Data(contentsOf: out.appendingPathComponent(name))
        }
        return files
    }

    /// The single-process reference crawl on SQLite, through the same model server.
    static func referenceCrawl(model: String, episodes: Int = episodes,
                               folder: URL) async throws -> (store: String, export: [String: Data]) {
        let store = folder.appendingPathComponent("reference/crawl.sqlite").path
        try await NNetnavProcess.run(crawlArguments(model: model, episodes: episodes) + ["--store", store],
                                     log: folder.appendingPathComponent("reference.log"))
        return (store, try await exportFiles(store: store, in: folder))
    }

    static func withModelServer<T: Sendable>(_ body: (_ model: String) async throws -> T) async throws -> T {
        let prompts = try PromptLibrary(directory: ProjectLayout.current.prompts)
        let model = EpisodeTaggedModel(base: CannedChatModel(prompts: prompts))
        return try await ChatModelHTTPServer.with(model: model) { base in try await body("vllm:canned@\(base)") }
    }

    /// The test: 4 worker processes on one PostgreSQL crawl of 40 episodes, workers killed
    /// with SIGKILL at random moments (and replaced) several times; afterwards every planned episode
    /// was committed exactly once, no row belongs to an unfinished episode, and the export is byte
    /// for byte the single-process crawl's.
    func testFourWorkersKilledAtRandomStillCommitEveryEpisodeExactlyOnce() async throws {
        let url = try await TestDatabase.fresh()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-shared-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var generator = SplitMix64(seed: UInt64(Date().timeIntervalSince1970))
        let seedNote = "random seed of the kill schedule: \(generator.state)"

        let (reference, shared, kills) = try await Self.withModelServer { model -> ([String: Data], [String: Data], Int) in
            let reference = try await Self.referenceCrawl(model: model, folder: folder).export
            var nextLog = 0
            func worker() throws -> NNetnavProcess {
                nextLog += 1
                return try NNetnavProcess.start(
                    Self.crawlArguments(model: model)
                        + ["--store", url.description, "--lease-seconds", "3", "--cache", url.description],
                    log: folder.appendingPathComponent("worker-\(nextLog).log"))
            }
            var workers = try (0..<4).map { _ in try worker() }
            var killed: [NNetnavProcess] = []
            // Kill a random worker at a random moment, three times, starting a new worker each
            // time (joining a crawl in progress); the last kill leaves its episode to the lease.
            for round in 0..<3 {
                // A random moment, then the first worker seen holding a lease: killed mid-episode.
                try await Task.sleep(nanoseconds: 300_000_000 + generator.next() % 1_200_000_000)
                var victim: Int?
                for _ in 0..<200 where victim == nil {
                    let holders = Set(try await TestDatabase.rows(url, "SELECT worker FROM episode_queue WHERE status = 'running'")
                        .compactMap { $0.first?.split(separator: ":").last.flatMap { Int32($0) } })
                    let candidates = workers.indices.filter { holders.contains(workers[$0].process.processIdentifier) }
                    if !candidates.isEmpty { victim = candidates[Int(generator.next() % UInt64(candidates.count))] }
                    else { try await Task.sleep(nanoseconds: 50_000_000) }
                }
                guard let victim, workers[victim].process.isRunning else { continue }
                try await Task.sleep(nanoseconds: generator.next() % 150_000_000)
                workers[victim].kill9()
                _ = await workers[victim].wait()
                killed.append(workers.remove(at: victim))
                if round < 2 { workers.append(try worker()) }
            }
            for w in workers {
                let status = await w.wait()
                XCTAssertEqual(status, 0, "worker failed:\n\(w.log.suffix(3000))")
            }
            for w in killed {
                try? FileManager.default.removeItem(at: ProjectLayout.current.runs
                    .appendingPathComponent("explore-worker-\(w.process.processIdentifier)"))
            }
            return (reference, try await Self.exportFiles(store: url.description, in: folder), killed.count)
        }
        XCTAssertEqual(kills, 3, seedNote)

        // Exactly once: every planned episode completed, with one committed finish each.
        let queue = try await TestDatabase.rows(url, "SELECT idx::text, status, commits::text FROM episode_queue ORDER BY idx")
        XCTAssertEqual(queue.count, Self.episodes, seedNote)
        for row in queue {
            XCTAssertEqual(row[1], "completed", "episode \(row[0]): \(seedNote)")
            XCTAssertEqual(row[2], "1", "episode \(row[0]) committed \(row[2]) times; \(seedNote)")
        }
        // The workers shared one response cache in the same database.
        let responses = try await TestDatabase.rows(url, "SELECT count(*)::text FROM responses")
        XCTAssertGreaterThan(Int(responses.first?.first ?? "") ?? 0, 0, "the shared response cache stayed empty")
        // Killed mid-episode: those episodes were claimed again and redone by another worker.
        let attempts = try await TestDatabase.rows(url, "SELECT sum(attempts)::text FROM episode_queue")
        XCTAssertGreaterThan(Int(attempts.first?.first ?? "") ?? 0, Self.episodes, "no episode was taken over; \(seedNote)")
        // Nothing orphaned: every row belongs to a completed episode, each episode row once.
        let episodes = try await TestDatabase.rows(url, "SELECT count(*)::text, count(DISTINCT idx)::text FROM episodes")
        XCTAssertEqual(episodes.first, ["\(Self.episodes)", "\(Self.episodes)"])
        for table in ["steps", "model_calls", "checkpoints", "demonstrations"] {
            let orphans = try await TestDatabase.rows(url, """
                SELECT count(*)::text FROM \(table) t
                WHERE NOT EXISTS (SELECT 1 FROM episode_queue q WHERE q.idx = t.episode AND q.status = 'completed')
                """)
            XCTAssertEqual(orphans.first?.first, "0", "\(table) has rows of unfinished episodes; \(seedNote)")
        }
        XCTAssertFalse(reference.isEmpty)
        XCTAssertGreaterThan(reference["sft_train.jsonl"]?.count ?? 0, 0, "the reference crawl kept no demonstration")
        XCTAssertEqual(Set(shared.keys), Set(reference.keys))
        for (name, data) in reference {
            XCTAssertTrue(shared[name] == data, "\(name) differs from the single-process crawl's; \(seedNote)")
        }
    }

    /// Static shards: two SQLite shards picked by a Kubernetes and a SLURM index variable, merged
    /// with `nnetnav store merge` (into SQLite with their caches, and into PostgreSQL), export what
    /// one process's crawl exports; a shard of another config is refused before anything is written.
    func testStaticShardsMergeIntoTheSingleProcessCrawl() async throws {
        let postgres = try await TestDatabase.fresh()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-shards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let episodes = 12
        try await Self.withModelServer { model in
            let reference = try await Self.referenceCrawl(model: model, episodes: episodes, folder: folder).export
            let a = folder.appendingPathComponent("a/crawl.sqlite").path, b = folder.appendingPathComponent("b/crawl.sqlite").path
            try await NNetnavProcess.run(Self.crawlArguments(model: model, episodes: episodes) + ["--store", a],
                                         log: folder.appendingPathComponent("a.log"),
                                         environment: ["JOB_COMPLETION_INDEX": "0", "NNETNAV_SHARDS": "2"])
            try await NNetnavProcess.run(Self.crawlArguments(model: model, episodes: episodes) + ["--store", b],
                                         log: folder.appendingPathComponent("b.log"),
                                         environment: ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "2"])
            let shardA = try CrawlStore(path: a), shardB = try CrawlStore(path: b)
            XCTAssertEqual(try shardA.completedEpisodes(), Set(stride(from: 0, to: episodes, by: 2)))
            XCTAssertEqual(try shardB.completedEpisodes(), Set(stride(from: 1, to: episodes, by: 2)))

            let merged = folder.appendingPathComponent("merged/crawl.sqlite").path
            let output = try await NNetnavProcess.run(["store", "merge", a, b, "--out", merged],
                                                      log: folder.appendingPathComponent("merge.log"))
            XCTAssertTrue(output.contains("merged \(episodes) episodes"), output)
            let mergedExport = try await Self.exportFiles(store: merged, in: folder)
            XCTAssertEqual(Set(mergedExport.keys), Set(reference.keys))
            for (name, data) in reference { XCTAssertTrue(mergedExport[name] == data, "merged \(name) differs") }
            // The caches merged too: the merged cache answers every request either shard recorded.
            let mergedCache = try ResponseCache(path: folder.appendingPathComponent("merged/responses.sqlite").path)
            let cacheA = try ResponseCache(path: folder.appendingPathComponent("a/responses.sqlite").path)
            let cacheB = try ResponseCache(path: folder.appendingPathComponent("b/responses.sqlite").path)
            let countA = try await cacheA.count(), countB = try await cacheB.count(), countMerged = try await mergedCache.count()
            XCTAssertGreaterThan(countA, 0)
            XCTAssertGreaterThanOrEqual(countMerged, max(countA, countB))
            XCTAssertLessThanOrEqual(countMerged, countA + countB)
            // Merging again changes nothing.
            let again = try await NNetnavProcess.run(["store", "merge", a, b, "--out", merged],
                                                     log: folder.appendingPathComponent("merge-again.log"))
            XCTAssertTrue(again.contains("merged 0 episodes (\(episodes) already there)"), again)

            // Into PostgreSQL: the shared store then exports the same files.
            try await NNetnavProcess.run(["store", "merge", a, b, "--out", postgres.description],
                                         log: folder.appendingPathComponent("merge-pg.log"))
            let postgresExport = try await Self.exportFiles(store: postgres.description, in: folder)
            for (name, data) in reference { XCTAssertTrue(postgresExport[name] == data, "\(name) merged into PostgreSQL differs") }

            // A shard crawled with another config is refused, and the output is left untouched.
            let other = folder.appendingPathComponent("other/crawl.sqlite").path
            try await NNetnavProcess.run(Self.crawlArguments(model: model, episodes: episodes, maxActions: 5)
                                            + ["--store", other, "--shard", "0/\(episodes)"],
                                         log: folder.appendingPathComponent("other.log"))
            let refused = folder.appendingPathComponent("refused/crawl.sqlite").path
            do {
                try await NNetnavProcess.run(["store", "merge", a, other, "--out", refused],
                                             log: folder.appendingPathComponent("refused.log"))
                XCTFail("a shard of another config was merged")
            } catch {
                XCTAssertTrue("\(error)".contains("another exploration config"), "\(error)")
            }
            XCTAssertEqual(try CrawlStore(path: refused).completedEpisodes(), [])
        }
    }
}
