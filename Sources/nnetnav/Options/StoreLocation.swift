import ArgumentParser
import Foundation
import Pipeline
import PostgresStore

/// Where a crawl store lives, as `--store` names it: a file path (or `sqlite:PATH`) for the embedded
/// SQLite store, or `postgres://user@host:port/db` for a store shared by workers on many machines.
enum StoreLocation: ExpressibleByArgument, CustomStringConvertible, Sendable {
    case sqlite(path: String)
    case postgres(PostgresURL)

    init(parsing text: String) throws {
        if PostgresURL.isPostgres(text) {
            self = .postgres(try PostgresURL(parsing: text))
        } else if text.hasPrefix("sqlite:") {
            self = .sqlite(path: String(text.dropFirst("sqlite:".count)))
        } else {
            self = .sqlite(path: text)
        }
    }

    init?(argument: String) {
        guard let parsed = try? StoreLocation(parsing: argument) else { return nil }
        self = parsed
    }

    var description: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let url): return url.description
        }
    }

    /// A SQLite store must exist to be read; a PostgreSQL one is checked when connecting.
    func validateExists() throws {
        if case .sqlite(let path) = self, !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("no crawl store at \(path)")
        }
    }

    /// The store for reading: the file itself, or a consistent snapshot of the shared store copied
    /// into a temporary SQLite file (same tables), so every reader works over either backend.
    /// `finish` removes the snapshot.
    func openForReading() async throws -> (store: CrawlStore, finish: @Sendable () -> Void) {
        switch self {
        case .sqlite(let path):
            return (try CrawlStore(path: path), {})
        case .postgres(let url):
            let backend = try await PostgresCrawlBackend.open(url)
            defer { backend.session.close() }
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-snapshot-\(UUID().uuidString)")
            let store = try await backend.snapshot(to: folder.appendingPathComponent("crawl.sqlite").path)
            return (store, { try? FileManager.default.removeItem(at: folder) })
        }
    }
}

extension StoreLocation {
    /// Whether many processes write this store at once.
    var isShared: Bool { if case .postgres = self { return true } else { return false } }
}
