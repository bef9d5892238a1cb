import Foundation

/// A PostgreSQL server named the libpq way: `postgres://user[:password]@host[:port]/database`
/// (`postgresql://` too), with `?host=/socket/dir` for a Unix socket and `?sslmode=disable|prefer|require`.
/// TLS defaults to `prefer`, except on loopback and sockets where it is off.
public struct PostgresURL: Sendable, Hashable, CustomStringConvertible {
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    /// A Unix socket folder (`?host=/dir`): the socket is `dir/.s.PGSQL.<port>`.
    public var socketDirectory: String?
    public var sslMode: String

    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    public init(parsing text: String) throws {
        guard Self.isPostgres(text), let components = URLComponents(string: text) else {
            throw PostgresStoreError.badURL("\(Self.redacted(text)) is not a postgres://user@host:port/database URL")
        }
        user = components.user.flatMap { $0.removingPercentEncoding } ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        password = components.password.flatMap { $0.removingPercentEncoding }
        host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        port = components.port ?? 5432
        database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else {
            throw PostgresStoreError.badURL("\(Self.redacted(text)) names no database (…/DATABASE at the end)")
        }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        socketDirectory = query["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        let local = socketDirectory != nil || ["localhost", "127.0.0.1", "::1"].contains(host)
        sslMode = query["sslmode"] ?? (local ? "disable" : "prefer")
        guard ["disable", "prefer", "require"].contains(sslMode) else {
            throw PostgresStoreError.badURL("sslmode=\(sslMode) is not one of disable, prefer, require")
        }
    }

    /// The URL without its password, for messages and logs.
    public var description: String {
        let who = password == nil ? user : "\(user):[redacted]"
        let socket = socketDirectory.map { "?host=\($0)" } ?? ""
        return "postgres://\(who)@\(host):\(port)/\(database)\(socket)"
    }

    static func redacted(_ text: String) -> String {
        text.replacingOccurrences(of: #"://([^:@/]+):[^@/]*@"#, with: "://$1:[redacted]@", options: .regularExpression)
    }

    /// The URL as libpq's `keyword='value'` connection string (libpq also reads `PGPASSWORD` and
    /// `~/.pgpass` when the URL has no password).
    var connectionInfo: String {
        var pairs: [(String, String)] = [
            ("host", socketDirectory ?? host), ("port", String(port)), ("user", user), ("dbname", database),
            ("sslmode", sslMode), ("connect_timeout", "10"), ("application_name", "nnetnav"),
        ]
        if let password { pairs.append(("password", password)) }
        return pairs.map { key, value in
            let quoted = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
            return "\(key)='\(quoted)'"
        }.joined(separator: " ")
    }
}

public enum PostgresStoreError: Error, CustomStringConvertible, Sendable {
    case badURL(String)
    case unreachable(String)
    case leaseLost(episode: Int)
    case mismatchedRun(String)
    public var description: String {
        switch self {
        case .badURL(let m): return "bad PostgreSQL URL: \(m)"
        case .unreachable(let m): return "cannot use the PostgreSQL store: \(m)"
        case .leaseLost(let episode):
            return "lost the lease on episode \(episode) (this worker stalled past --lease-seconds and another worker took it over); its work is discarded"
        case .mismatchedRun(let m): return "cannot join this shared crawl: \(m)"
        }
    }
}
