import Foundation
import NNetnavSupport

/// The SQLite crawl store as a crawl backend: this process holds the store's writer lock and runs
/// the episodes not completed yet, each written as it happens (see `CrawlStore`).
public struct SQLiteCrawlBackend: CrawlBackend {
    public let store: CrawlStore
    private let queue = LockedValue<WorkQueue<EpisodePlan>?>(nil)

    public init(store: CrawlStore) { self.store = store }

    public var location: String { store.path ?? ":memory:" }

    public func begin(model: String, sites: [String], episodes: Int, config: ExplorationConfig,
                      plans: [EpisodePlan]) async throws -> CrawlBeginning {
        try store.begin(model: model, sites: sites, episodes: episodes, config: config)
        let done = try store.completedEpisodes()
        let todo = plans.filter { !done.contains($0.index) }
        queue.withLock { $0 = WorkQueue(todo) }
        return CrawlBeginning(alreadyDone: plans.count - todo.count, remaining: todo.count,
                              keptInstructions: try store.keptInstructions())
    }

    public func claimEpisode() async throws -> (any EpisodeClaim)? {
        guard let queue = queue.withLock({ $0 }) else { return nil }
        return await queue.next().map { SQLiteEpisodeClaim(store: store, plan: $0) }
    }

    public func end() async { store.releaseWriterLock() }
}

/// An episode of the SQLite store: every step, checkpoint and call is its own transaction.
struct SQLiteEpisodeClaim: EpisodeClaim {
    let store: CrawlStore
    let plan: EpisodePlan

    func start(startURL: String, account: String?, shard: String, instance: Int) async throws {
        try await store.startEpisode(plan, startURL: startURL, account: account, shard: shard, instance: instance)
    }
    func record(step: ExploredStep) async throws { try await store.record(step: step, episode: plan.index) }
    func record(checkpoint: Checkpoint) async throws { try await store.record(checkpoint: checkpoint, episode: plan.index) }
    func record(call: ModelCallRecord) async throws { try await store.record(call: call, episode: plan.index) }
    func finish(outcome: EpisodeOutcome, demonstrations: [Demonstration],
                skipped: [DemonstrationBuilder.Skipped]) async throws -> Int {
        try await store.finishEpisode(plan.index, outcome: outcome, demonstrations: demonstrations, skipped: skipped)
        return demonstrations.count
    }
    func fail(error: String) async { try? await store.failEpisode(plan.index, error: error) }
    /// Left as it is: a resumed crawl deletes and restarts a `running` episode.
    func abandon() async {}
}
