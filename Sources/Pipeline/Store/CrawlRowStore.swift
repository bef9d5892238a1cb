import Foundation
import GRDB

/// A crawl store seen as rows: what merging shards and snapshotting a shared store need from either
/// backend.
public protocol CrawlRowStore: Sendable {
    /// The `run` row, in `CrawlTable.run` column order, or nil for an empty store.
    func runRow() async throws -> [CrawlValue]?
    func completedEpisodeIndexes() async throws -> Set<Int>
    func normalizedInstructions() async throws -> Set<String>
    /// Writes `run` when the store has none, then replaces the given episodes (all their tables'
    /// rows, keyed by table name) in one transaction.
    func importEpisodes(run: [CrawlValue], rows: [String: [[CrawlValue]]]) async throws
}

extension CrawlStore: CrawlRowStore {
    public func runRow() async throws -> [CrawlValue]? { try rows(of: .run).first }

    public func completedEpisodeIndexes() async throws -> Set<Int> { try completedEpisodes() }

    public func normalizedInstructions() async throws -> Set<String> {
        try await database.read { db in Set(try String.fetchAll(db, sql: "SELECT normalized_instruction FROM demonstrations")) }
    }

    public func importEpisodes(run: [CrawlValue], rows: [String: [[CrawlValue]]]) async throws {
        let episodes = (rows[CrawlTable.episodes.name] ?? []).compactMap { row -> Int? in
            if case .integer(let i) = row[0] { return Int(i) } else { return nil }
        }
        try await database.write { db in
            if try Row.fetchOne(db, sql: "SELECT id FROM run WHERE id = 1") == nil {
                try Self.insert([run], into: .run, db)
            }
            for index in episodes {
                try Self.deleteEpisode(index, db)
                try db.execute(sql: "DELETE FROM replays WHERE episode = ?", arguments: [index])
            }
            for table in CrawlTable.episodeTables {
                try Self.insert(rows[table.name] ?? [], into: table, db)
            }
        }
    }

    static func insert(_ rows: [[CrawlValue]], into table: CrawlTable, _ db: Database) throws {
        guard !rows.isEmpty else { return }
        let marks = Array(repeating: "?", count: table.columns.count).joined(separator: ", ")
        let statement = try db.makeStatement(sql: "INSERT INTO \(table.name) (\(table.columnList)) VALUES (\(marks))")
        for row in rows { try statement.execute(arguments: StatementArguments(row.map(\.databaseValue))) }
    }
}
