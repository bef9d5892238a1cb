import CLibPQ
import Foundation

/// One libpq connection. libpq's calls block, so they run on a queue of their own and never on the
/// Swift concurrency pool (two threads on a two-core machine, which a slow query would stall). A
/// connection serves one call at a time; `PostgresConnectionPool` hands each to one user.
public final class PostgresConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    private static let blockingCalls = DispatchQueue(label: "nnetnav.postgres", attributes: .concurrent)

    /// Connects (blocking); `info` is a libpq connection string.
    init(info: String) throws {
        guard let handle = PQconnectdb(info) else { throw PostgresError.connection("libpq could not allocate a connection") }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(handle)
            throw PostgresError.connection(message)
        }
        // Notices (e.g. "relation already exists, skipping") would go to stderr; they are not errors.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        self.handle = handle
    }

    static func open(info: String) async throws -> PostgresConnection {
        try await onBlockingQueue { try PostgresConnection(info: info) }
    }

    deinit { PQfinish(handle) }

    /// False once the server or the network dropped it; the pool then opens another.
    var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Runs `query` and returns its rows (none for a statement without results).
    @discardableResult
    public func run(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await Self.onBlockingQueue { try self.execute(query) }
    }

    /// Runs one statement, blocking, with every parameter typed and sent apart from the text.
    func execute(_ query: PostgresQuery) throws -> [PostgresRow] {
        let binds = query.binds
        let types = binds.map { Oid($0.type.rawValue) }
        let lengths = binds.map { Int32($0.bytes?.count ?? 0) }
        let formats = binds.map { Int32($0.binary ? 1 : 0) }
        // Text values need a terminating zero; binary ones are read by length.
        let buffers: [UnsafeMutablePointer<CChar>?] = binds.map { bind in
            guard let bytes = bind.bytes else { return nil }
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
            bytes.withUnsafeBytes { raw in
                UnsafeMutableRawPointer(buffer).copyMemory(from: raw.baseAddress ?? UnsafeRawPointer(buffer), byteCount: bytes.count)
            }
            buffer[bytes.count] = 0
            return buffer
        }
        defer { for buffer in buffers { buffer?.deallocate() } }
        let values = buffers.map { UnsafePointer<CChar>($0) }
        guard let result = PQexecParams(handle, query.sql, Int32(binds.count), types, values, lengths, formats, 0) else {
            throw PostgresError.connection(String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return []
        case PGRES_TUPLES_OK:
            return Self.rows(of: result)
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? "?????"
            let message = String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
            if !isHealthy { throw PostgresError.connection(message) }
            throw PostgresError.server(sqlState: state, message: message)
        }
    }

    private static func rows(of result: OpaquePointer) -> [PostgresRow] {
        let count = Int(PQntuples(result)), columns = Int(PQnfields(result))
        return (0..<count).map { row in
            PostgresRow(cells: (0..<columns).map { column -> [UInt8]? in
                let r = Int32(row), c = Int32(column)
                if PQgetisnull(result, r, c) == 1 { return nil }
                let length = Int(PQgetlength(result, r, c))
                guard let value = PQgetvalue(result, r, c) else { return [] }
                return value.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
            })
        }
    }

    private static func onBlockingQueue<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            blockingCalls.async { continuation.resume(with: Result { try work() }) }
        }
    }
}
