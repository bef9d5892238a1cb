import Foundation
import Logging
import PostgresNIO

/// A running `PostgresClient` (its connection pool runs in a task of its own) and the few calls the
/// stores make on it. `close()` ends the pool.
public final class PostgresSession: Sendable {
    public let url: PostgresURL
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>

    public init(url: PostgresURL) {
        self.url = url
        var logger = Logger(label: "nnetnav.postgres")
        logger.logLevel = .critical
        self.logger = logger
        let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
    }

    /// Connects once, so a wrong URL or a server that is down is one clear error up front.
    public static func connect(_ url: PostgresURL) async throws -> PostgresSession {
        let session = PostgresSession(url: url)
        do {
            try await session.client.query("SELECT 1", logger: session.logger)
        } catch {
            session.close()
            throw PostgresStoreError.unreachable("\(url): \(String(reflecting: error))")
        }
        return session
    }

    public func close() { runner.cancel() }

    @discardableResult
    func query(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await client.query(query, logger: logger).collect()
    }

    /// Runs `body` in a transaction; an error `body` threw comes out as itself (the client wraps
    /// it with the rollback's outcome, which callers matching on it do not care about).
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            if let thrown = error.closureError { throw thrown }
            throw error
        }
    }
}

extension PostgresConnection {
    @discardableResult
    func run(_ query: PostgresQuery, _ logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
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
            try row.makeRandomAccess().map { try $0.decode(String?.self) ?? "NULL" }
        }
    }
}
