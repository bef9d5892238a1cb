import Foundation
import PostgresStore
import TestSupport

/// A fresh, empty database on the test server for one test, so tests never see each other's crawls.
enum TestDatabase {
    static func fresh() async throws -> PostgresURL {
        let base = try PostgresURL(parsing: try TestRequirements.postgresURL())
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let session = try await PostgresSession.connect(base)
        defer { session.close() }
        try await session.execute("CREATE DATABASE \(name)")
        var url = base
        url.database = String(name)
        return url
    }

    /// Rows of `sql` on `url`, each column read as text (NULL as "NULL").
    static func rows(_ url: PostgresURL, _ sql: String) async throws -> [[String]] {
        let session = try await PostgresSession.connect(url)
        defer { session.close() }
        return try await session.textRows(sql)
    }
}
