/// What the PostgreSQL client can fail with, worded for the person running the command.
public enum PostgresError: Error, CustomStringConvertible, Sendable {
    /// The server could not be reached or refused the login (libpq's message).
    case connection(String)
    /// The server rejected a statement: its SQLSTATE code and message.
    case server(sqlState: String, message: String)
    /// A result cell could not become the Swift type asked for.
    case decoding(column: Int, String)
    /// The session was closed while the call waited for a connection.
    case closed

    public var description: String {
        switch self {
        case .connection(let message): return "cannot connect: \(message)"
        case .server(let state, let message): return "server error \(state): \(message)"
        case .decoding(let column, let message): return "column \(column): \(message)"
        case .closed: return "the PostgreSQL session is closed"
        }
    }
}
