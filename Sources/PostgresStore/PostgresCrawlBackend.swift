import Foundation
import NNetnavSupport
import Pipeline

/// A crawl shared by any number of worker processes through PostgreSQL.
///
/// The database holds the run (checked like a resumed SQLite store: same model, sites, episode
/// count and config), a queue row per planned episode, and every completed episode's rows in the
/// SQLite store's tables. A worker claims the lowest pending episode with `SELECT … FOR UPDATE SKIP
/// LOCKED` and a fresh lease token, extends its lease by heartbeat while it runs, and commits the
/// episode (episode row, steps, model calls, checkpoints, demonstrations, queue status) in one
/// transaction only if the queue row still holds its token. A worker that dies stops its heartbeat,
/// the lease expires, and another worker's claim takes the episode over with a new token, so a
/// late commit from the old one is refused: every planned episode is committed exactly once.
public final class PostgresCrawlBackend: CrawlBackend {
    public let session: PostgresSession
    /// How long a claim lasts without a heartbeat; the heartbeat renews it every third of that.
    public let leaseSeconds: Double
    /// Who holds a lease, for `episode_queue.worker`: host and process id.
    public let worker: String
    /// Off only in tests, to play a worker that stalls (its lease runs out while it still works).
    let renewsLeases: Bool
    private let state = LockedValue<[Int: EpisodePlan]>([:])

    public var location: String { session.url.description }

    public convenience init(session: PostgresSession, leaseSeconds: Double = 60) {
        self.init(session: session, leaseSeconds: leaseSeconds, renewsLeases: true)
    }

    init(session: PostgresSession, leaseSeconds: Double, renewsLeases: Bool) {
        self.session = session
        self.leaseSeconds = leaseSeconds
        self.renewsLeases = renewsLeases
        worker = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    }

    /// Connects and brings the schema up to date.
    public static func open(_ url: PostgresURL, leaseSeconds: Double = 60) async throws -> PostgresCrawlBackend {
        let session = try await PostgresSession.connect(url)
        do {
            try await PostgresSchema.migrate(session)
        } catch {
            session.close()
            throw PostgresStoreError.unreachable("migrating \(url): \(String(reflecting: error))")
        }
        return PostgresCrawlBackend(session: session, leaseSeconds: leaseSeconds)
    }

    public func begin(model: String, sites: [String], episodes: Int, config: ExplorationConfig,
                      plans: [EpisodePlan]) async throws -> CrawlBeginning {
        state.withLock { $0 = Dictionary(plans.map { ($0.index, $0) }, uniquingKeysWith: { a, _ in a }) }
        let indexes = plans.map { Int64($0.index) }
        let json = String(decoding: try JSONEncoder.sortedKeys.encode(config), as: UTF8.self)
        let siteList = sites.joined(separator: ",")
        return try await session.transaction { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(7245102)")
            let rows = try await connection.run("SELECT model, sites, episodes, config_json FROM run WHERE id = 1")
            if let row = rows.first {
                let storedModel = try row.decode(0, as: String.self), storedSites = try row.decode(1, as: String.self)
                let storedEpisodes = try row.decode(2, as: Int64.self), storedConfig = try row.decode(3, as: String.self)
                let fix = "give every worker the same --model, --sites, --episodes and config as the first"
                guard storedModel == model else {
                    throw PostgresStoreError.mismatchedRun("it was started with model \(storedModel), not \(model); \(fix)")
                }
                guard storedSites == siteList else {
                    throw PostgresStoreError.mismatchedRun("it was started for sites \(storedSites), not \(siteList); \(fix)")
                }
                guard storedEpisodes == Int64(episodes) else {
                    throw PostgresStoreError.mismatchedRun("it was started for \(storedEpisodes) episodes, not \(episodes); \(fix)")
                }
                guard storedConfig == json else {
                    throw PostgresStoreError.mismatchedRun("it was started with another exploration config; \(fix)")
                }
            } else {
                try await connection.run("""
                    INSERT INTO run (id, created_at, model, sites, episodes, config_json)
                    VALUES (1, \(CrawlRows.now()), \(model), \(siteList), \(Int64(episodes)), \(json))
                    """)
            }
            try await connection.run("""
                INSERT INTO episode_queue (idx) SELECT unnest(\(indexes)::BIGINT[]) ON CONFLICT (idx) DO NOTHING
                """)
            // A new worker retries what failed before, as a resumed SQLite crawl does.
            try await connection.run("""
                UPDATE episode_queue SET status = 'pending' WHERE status = 'failed' AND idx = ANY(\(indexes)::BIGINT[])
                """)
            let done = try await connection.run("""
                SELECT count(*) FROM episode_queue WHERE status = 'completed' AND idx = ANY(\(indexes)::BIGINT[])
                """).first!.decode(0, as: Int64.self)
            let kept = try await connection.run("SELECT instruction FROM demonstrations ORDER BY id")
                .map { try $0.decode(0, as: String.self) }
            return CrawlBeginning(alreadyDone: Int(done), remaining: plans.count - Int(done), keptInstructions: kept)
        }
    }

    public func claimEpisode() async throws -> (any EpisodeClaim)? {
        let plans = state.withLock { $0 }
        let indexes = plans.keys.sorted().map(Int64.init)
        while true {
            let token = UUID().uuidString
            let claimed = try await session.query("""
                UPDATE episode_queue SET status = 'running', lease_token = \(token), worker = \(worker),
                    lease_expires = now() + make_interval(secs => \(leaseSeconds)), attempts = attempts + 1
                WHERE idx = (
                    SELECT idx FROM episode_queue
                    WHERE idx = ANY(\(indexes)::BIGINT[])
                      AND (status = 'pending' OR (status = 'running' AND lease_expires < now()))
                    ORDER BY idx LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING idx
                """)
            if let row = claimed.first {
                let index = Int(try row.decode(0, as: Int64.self))
                guard let plan = plans[index] else { throw PostgresStoreError.mismatchedRun("claimed unplanned episode \(index)") }
                return PostgresEpisodeClaim(backend: self, plan: plan, token: token)
            }
            // Nothing to claim: wait while other workers hold leases, since one of them may die
            // and leave its episode to us; stop when every planned episode is completed or failed.
            let running = try await session.query("""
                SELECT count(*), COALESCE(EXTRACT(EPOCH FROM min(lease_expires) - now()), 0)::DOUBLE PRECISION
                FROM episode_queue WHERE status = 'running' AND idx = ANY(\(indexes)::BIGINT[])
                """).first!
            guard try running.decode(0, as: Int64.self) > 0 else { return nil }
            let wait = min(max(try running.decode(1, as: Double.self), 0.05), max(leaseSeconds / 4, 0.05))
            try await Task.sleep(nanoseconds: UInt64(wait * 1e9))
        }
    }

    public func end() async { session.close() }
}

extension JSONEncoder {
    /// The encoding the SQLite store compares configs with: sorted keys, unescaped slashes.
    static var sortedKeys: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}
