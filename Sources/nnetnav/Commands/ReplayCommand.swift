import Environments
import ArgumentParser
import Evaluation
import Foundation
import NNetnavSupport
import Pipeline
import PostgresStore
import WebSites
import WebTasks

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-execute stored demonstrations on freshly reset bundled sites and report how many replay.",
        discussion: """
        Each demonstration starts on its first page of a freshly reset site; every action's target is found \
        again by its stored locator (role, accessible name, ancestry), not by the recorded element id, which \
        drifts between page loads. A demonstration replays when it ends on the same URL (path and query) with \
        the same page (observation text without element ids). With --store, results are saved in the store \
        and `nnetnav stats` shows the replay rate.

        Examples:
          nnetnav replay --store runs/explore/crawl.sqlite
          nnetnav replay --data runs/main/dataset/trajectories_train.jsonl --limit 20
        """)

    @Option(name: .long, help: "A crawl store written by `nnetnav explore`: a SQLite file or a postgres:// URL.")
    var store: StoreLocation?

    @Option(name: .long, help: "A trajectories JSONL file written by `nnetnav export`.")
    var data: String?

    @Option(name: .long, help: "Replay at most this many demonstrations.")
    var limit: Int?

    @Option(name: .long, help: "First port of the bundled site instances (default: free ports).")
    var basePort: Int?

    func validate() throws {
        guard (store == nil) != (data == nil) else { throw ValidationError("give exactly one of --store and --data") }
        try store?.validateExists()
        if let data, !FileManager.default.fileExists(atPath: data) { throw ValidationError("no file at \(data)") }
        if let limit, limit <= 0 { throw ValidationError("--limit must be positive") }
    }

    func run() async throws {
        var items: [DemonstrationReplayer.Item]
        var crawlStore: CrawlStore?
        var finishStore: @Sendable () -> Void = {}
        defer { finishStore() }
        if let store {
            let (opened, finish) = try await store.openForReading()
            finishStore = finish
            crawlStore = opened
            items = try opened.demonstrations().map(DemonstrationReplayer.Item.init)
        } else {
            let url = URL(fileURLWithPath: data!)
            var rows: [TrajectoryRow] = []
            for (number, line) in try String(contentsOf: url, encoding: .utf8).split(separator: "\n").enumerated()
            where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                do { rows.append(try JSONDecoder().decode(TrajectoryRow.self, from: Data(line.utf8))) } catch {
                    throw ValidationError("\(url.path) line \(number + 1) is not a trajectory row: \(error)")
                }
            }
            items = rows.map(DemonstrationReplayer.Item.init)
        }
        if let limit { items = Array(items.prefix(limit)) }
        let siteNames = Set(items.map(\.site))
        let names = try siteNames.sorted().map { name -> SiteName in
            guard let site = SiteName(rawValue: name) else {
                throw ValidationError("demonstrations on \(name) cannot be replayed: only the bundled sites are")
            }
            return site
        }
        guard !items.isEmpty else { print("no demonstrations to replay"); return }
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-replay-\(UUID().uuidString)")
        let cluster = try await SiteCluster.start(sites: names, instances: 1, basePort: basePort,
                                                  dataDirectory: dataDirectory, seed: TaskSet.seed)
        let pool = try await SiteClusterPool(cluster: cluster, backend: .native)
        let results: [DemonstrationReplayer.Result]
        do {
            results = try await DemonstrationReplayer(environments: pool).replay(items) { r in
                print("\(r.site) \(r.episode):\(r.depth)  \(r.replayed ? "replayed" : "differs")  "
                      + "\(r.stepsResolved)/\(r.steps) targets found" + (r.detail.isEmpty ? "" : "  (\(r.detail))"))
            }
        } catch {
            pool.shutdown(); await cluster.shutdown()
            throw error
        }
        pool.shutdown()
        await cluster.shutdown()
        try? FileManager.default.removeItem(at: dataDirectory)
        let ok = results.filter(\.replayed).count
        print(String(format: "replay rate: %d of %d (%.0f%%) reached the same final URL and page state; same URL: %d",
                     ok, results.count, 100 * Double(ok) / Double(results.count), results.filter(\.sameURL).count))
        if let crawlStore {
            try await crawlStore.record(replays: results)
            if case .postgres(let url) = store {
                // The results went into the snapshot; the shared store keeps them too.
                let backend = try await PostgresCrawlBackend.open(url)
                defer { backend.session.close() }
                try await backend.replaceReplays(try crawlStore.rows(of: .replays))
            }
        }
    }
}
