import Foundation
import Pipeline

/// The shared store as rows: the destination of `nnetnav store merge … --out postgres://…`, and
/// the source of a SQLite snapshot through which `stats`, `export`, `view` and `replay` read it.
extension PostgresCrawlBackend: CrawlRowStore {
    public func runRow() async throws -> [CrawlValue]? {
        try await session.query(PostgresQuery(unsafeSQL: "SELECT \(CrawlTable.run.columnList) FROM run WHERE id = 1"))
            .first.map { try CrawlTable.run.values(of: $0) }
    }

    public func completedEpisodeIndexes() async throws -> Set<Int> {
        Set(try await session.query("SELECT idx FROM episode_queue WHERE status = 'completed'")
            .map { Int(try $0.decode(0, as: Int64.self)) })
    }

    public func normalizedInstructions() async throws -> Set<String> {
        Set(try await session.query("SELECT normalized_instruction FROM demonstrations").map { try $0.decode(0, as: String.self) })
    }

    public func importEpisodes(run: [CrawlValue], rows: [String: [[CrawlValue]]]) async throws {
        let episodes = (rows[CrawlTable.episodes.name] ?? []).compactMap { $0[0].int.map(Int64.init) }
        try await session.transaction { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(7245102)")
            try await connection.run(CrawlTable.run.insertQuery(run, suffix: " ON CONFLICT (id) DO NOTHING"))
            try await connection.run("DELETE FROM episodes WHERE idx = ANY(\(episodes)::BIGINT[])")
            try await connection.run("DELETE FROM replays WHERE episode = ANY(\(episodes)::BIGINT[])")
            for table in CrawlTable.episodeTables {
                for row in rows[table.name] ?? [] { try await connection.run(table.insertQuery(row)) }
            }
            try await connection.run("""
                INSERT INTO episode_queue (idx, status, commits) SELECT unnest(\(episodes)::BIGINT[]), 'completed', 1
                ON CONFLICT (idx) DO UPDATE SET status = 'completed', commits = episode_queue.commits + 1,
                    lease_token = NULL, lease_expires = NULL
                """)
        }
    }

    /// Copies the whole shared store, as of one transaction, into a new SQLite store at `path`
    /// (replaced if it exists). Only completed episodes are in the shared tables, so the copy holds
    /// exactly what `export` would see.
    public func snapshot(to path: String) async throws -> CrawlStore {
        for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let (run, rows) = try await session.transaction { connection -> ([CrawlValue]?, [String: [[CrawlValue]]]) in
            try await connection.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            var rows: [String: [[CrawlValue]]] = [:]
            for table in CrawlTable.episodeTables {
                rows[table.name] = try await connection.run(PostgresQuery(unsafeSQL:
                    "SELECT \(table.columnList) FROM \(table.name) ORDER BY \(table.order)"))
                    .map { try table.values(of: $0) }
            }
            let run = try await connection.run(PostgresQuery(unsafeSQL: "SELECT \(CrawlTable.run.columnList) FROM run"))
                .first.map { try CrawlTable.run.values(of: $0) }
            return (run, rows)
        }
        let store = try CrawlStore(path: path)
        if let run { try await store.importEpisodes(run: run, rows: rows) }
        return store
    }

    /// Per queue status, how many planned episodes are in it (for `nnetnav stats`).
    public func queueCounts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await session.query("SELECT status, count(*) FROM episode_queue GROUP BY status") {
            let status = try row.decode(0, as: String.self), n = try row.decode(1, as: Int64.self)
            counts[status] = Int(n)
        }
        return counts
    }
}

extension PostgresCrawlBackend {
    /// Replaces the replay results of the demonstrations in `rows` (`CrawlTable.replays` order).
    public func replaceReplays(_ rows: [[CrawlValue]]) async throws {
        try await session.transaction { connection in
            for row in rows {
                try await connection.run("DELETE FROM replays WHERE episode = \(Int64(row[0].int ?? -1)) AND depth = \(Int64(row[1].int ?? -1))")
                try await connection.run(CrawlTable.replays.insertQuery(row))
            }
        }
    }
}
