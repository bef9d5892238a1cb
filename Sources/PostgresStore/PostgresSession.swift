import Foundation

/// A pool of libpq connections to one server and the few calls the stores make on it.
/// `close()` ends it.
public final class PostgresSession: Sendable {
    public let url: PostgresURL
    let pool: PostgresConnectionPool

    public init(url: PostgresURL) {
        self.url = url
        pool = PostgresConnectionPool(info: url.connectionInfo, maximum: 8)
    }

    /// Connects once, so a wrong URL or a server that is down is one clear error up front.
    public static func connect(_ url: PostgresURL) async throws -> PostgresSession {
        let session = PostgresSession(url: url)
        do {
            try await session.query("SELECT 1")
        } catch {
            session.close()
            throw PostgresStoreError.unreachable("\(url): \(error)")
        }
        return session
    }

    public func close() { pool.close() }

    @discardableResult
    func query(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await pool.withConnection { try await $0.run(query) }
    }

    /// Runs `body` in a transaction on one connection: committed when `body` returns, rolled back
    /// when it throws (the error comes out as itself).
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await pool.withConnection { connection in
            try await connection.run("BEGIN")
            let result: T
            do {
                result = try await body(connection)
            } catch {
                _ = try? await connection.run("ROLLBACK")
                throw error
            }
            try await connection.run("COMMIT")
            return result
        }
    }
}

extension PostgresSession {
    /// Runs one statement given as text (administration: `CREATE DATABASE`, and tests).
    public func execute(_ sql: String) async throws {
        try await query(PostgresQuery(unsafeSQL: sql))
    }

    /// The rows of `sql` with every column cast to text by the caller (`::text`), NULL as "NULL".
    public func textRows(_ sql: String) async throws -> [[String]] {
        try await query(PostgresQuery(unsafeSQL: sql)).map { row in
            try row.cells.indices.map { try row.decode($0, as: String?.self) ?? "NULL" }
        }
    }
}
