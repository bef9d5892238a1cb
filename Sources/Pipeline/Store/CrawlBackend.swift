import Foundation

/// Where a crawl's work comes from and its results go: the embedded SQLite store (one process owns
/// it) or a shared database that many worker processes claim episodes from (the `PostgresStore`
/// target). The crawler only sees this protocol, so both backends run the same exploration.
public protocol CrawlBackend: Sendable {
    /// Shown in messages: a file path or a URL without its password.
    var location: String { get }

    /// Records the run, or checks that a resumed (or shared) run uses the same model, sites, episode
    /// count and config, and makes this process one of its writers. `plans` are the episodes this
    /// process may run.
    func begin(model: String, sites: [String], episodes: Int, config: ExplorationConfig,
               plans: [EpisodePlan]) async throws -> CrawlBeginning

    /// The next episode this process should run, or nil when none is left to anyone.
    func claimEpisode() async throws -> (any EpisodeClaim)?

    /// Gives up being a writer (the SQLite lock, a database connection pool).
    func end() async
}

/// What a crawl found when it began.
public struct CrawlBeginning: Sendable {
    /// Planned episodes already completed (by an earlier run or by other workers).
    public var alreadyDone: Int
    /// Episodes still to run, as far as this process can tell.
    public var remaining: Int
    /// Every kept instruction, for the deduplication registry.
    public var keptInstructions: [String]

    public init(alreadyDone: Int, remaining: Int, keptInstructions: [String]) {
        self.alreadyDone = alreadyDone
        self.remaining = remaining
        self.keptInstructions = keptInstructions
    }
}

/// One episode this process holds until it finishes or fails it.
public protocol EpisodeClaim: EpisodeSink {
    var plan: EpisodePlan { get }
    func start(startURL: String, account: String?, shard: String, instance: Int) async throws
    func record(call: ModelCallRecord) async throws
    /// Commits the episode with its demonstrations; returns how many demonstrations were kept (a
    /// shared store may drop one another worker committed first).
    func finish(outcome: EpisodeOutcome, demonstrations: [Demonstration],
                skipped: [DemonstrationBuilder.Skipped]) async throws -> Int
    /// The episode failed; a resumed (or another) worker redoes it.
    func fail(error: String) async
    /// The crawl was interrupted during this episode; it is redone later, not counted as failed.
    func abandon() async
}
