import Foundation
import GRDB

/// Model responses stored in SQLite by content address, so that a crawl can be re-run or
/// resumed without paying for the same call twice, and replayed exactly.
///
/// The key is the SHA-256 of the canonical JSON (sorted keys) of the model identifier and the
/// whole `ChatRequest`: messages, sampling options (including seed) and choices. Any change to a
/// request is a different key. With temperature > 0 the cache is what makes a run reproducible:
/// the same request always gets back the sample recorded the first time.
///
/// The file uses WAL mode, so several processes and many tasks may read and write it at once.
/// The request JSON is kept beside the response for inspection; it holds no API key.
public final class ResponseCache: ResponseStore {
    /// Bumped when the canonical form of keys changes, so old entries stop matching rather than mismatching.
    public static let keyVersion = 1

    private let database: any DatabaseWriter
    /// Where the cache lives, or nil for an in-memory cache.
    public let path: String?

    /// Opens or creates the cache file, creating its folder when needed.
    public init(path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        do {
            database = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw ChatModelError.unavailable("cannot open the response cache at \(path): \(error)")
        }
        self.path = path
        try Self.migrate(database)
    }

    /// A cache that lives as long as this object, for tests and one-off runs.
    public init() throws {
        database = try DatabaseQueue()
        path = nil
        try Self.migrate(database)
    }

    private static func migrate(_ database: any DatabaseWriter) throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 responses") { db in
            try db.create(table: "responses") { t in
                t.primaryKey("key", .text)
                t.column("model", .text).notNull()
                t.column("request", .text).notNull()
                t.column("response", .text).notNull()
                t.column("promptTokens", .integer).notNull()
                t.column("completionTokens", .integer).notNull()
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(index: "responses_model", on: "responses", columns: ["model"])
        }
        try migrator.migrate(database)
    }

    // MARK: Keys

    private struct KeyMaterial: Encodable {
        var version: Int
        var model: String
        var request: ChatRequest
    }

    public static func canonicalEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Canonical JSON of what identifies a response: sorted keys, no whitespace.
    public static func canonicalJSON(model: String, request: ChatRequest) -> Data {
        // Encoding plain strings, numbers and arrays cannot fail.
        try! canonicalEncoder().encode(KeyMaterial(version: keyVersion, model: model, request: request))
    }

    /// Lower-case hex SHA-256 of `canonicalJSON(model:request:)`.
    public static func key(model: String, request: ChatRequest) -> String {
        SHA256.hexDigest(canonicalJSON(model: model, request: request))
    }

    // MARK: Reading and writing

    /// The stored response, marked `cached`, or nil.
    public func response(forKey key: String) async throws -> ChatResponse? {
        let json = try await database.read { db in
            try String.fetchOne(db, sql: "SELECT response FROM responses WHERE key = ?", arguments: [key])
        }
        guard let json else { return nil }
        return try Entry.response(fromJSON: json, key: key)
    }

    /// Stores (or replaces) the response to `request` from `model`.
    public func store(_ response: ChatResponse, model: String, request: ChatRequest) async throws {
        let entry = try Entry(response, model: model, request: request)
        try await database.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO responses (key, model, request, response, promptTokens, completionTokens, createdAt)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [entry.key, model, entry.requestJSON, entry.responseJSON,
                                 response.usage.promptTokens, response.usage.completionTokens, Date()])
        }
    }

    /// What the cache holds for one model.
    public struct ModelSummary: Sendable, Hashable {
        public var model: String
        public var responses: Int
        public var usage: TokenUsage
        public var oldest: Date
        public var newest: Date
    }

    /// Responses and recorded tokens per model identifier, most responses first.
    public func summary() async throws -> [ModelSummary] {
        try await database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT model, COUNT(*) AS n, SUM(promptTokens) AS p, SUM(completionTokens) AS c,
                       MIN(createdAt) AS oldest, MAX(createdAt) AS newest
                FROM responses GROUP BY model ORDER BY n DESC, model
                """).map { row in
                ModelSummary(model: row["model"], responses: row["n"],
                             usage: TokenUsage(promptTokens: row["p"], completionTokens: row["c"]),
                             oldest: row["oldest"], newest: row["newest"])
            }
        }
    }

    /// Number of stored responses, optionally for one model identifier.
    public func count(model: String? = nil) async throws -> Int {
        try await database.read { db in
            if let model {
                return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM responses WHERE model = ?", arguments: [model]) ?? 0
            }
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM responses") ?? 0
        }
    }
}

extension ResponseCache {
    /// Copies every entry of `other` that this cache lacks (an entry it has is kept: both recorded
    /// the same request, and the first recording is the one replays must keep seeing). Returns how
    /// many entries were added. Used to merge the caches of static shards.
    public func importEntries(from other: ResponseCache) async throws -> Int {
        let rows = try await other.database.read { db in
            try Row.fetchAll(db, sql: "SELECT key, model, request, response, promptTokens, completionTokens, createdAt FROM responses ORDER BY key")
                .map { row in (0..<row.count).map { row[$0] as DatabaseValue } }
        }
        return try await database.write { db in
            var added = 0
            for row in rows {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO responses (key, model, request, response, promptTokens, completionTokens, createdAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: StatementArguments(row))
                added += db.changesCount
            }
            return added
        }
    }
}
