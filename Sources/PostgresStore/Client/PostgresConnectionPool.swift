import Foundation
import NNetnavSupport

/// Up to `maximum` connections to one server, opened on demand and reused. A caller waits when all
/// are busy; a connection the server dropped is closed on return, with the idle ones, and replaced
/// by the next caller.
final class PostgresConnectionPool: Sendable {
    let info: String
    let maximum: Int

    private struct State {
        var idle: [PostgresConnection] = []
        var open = 0
        /// Waiting callers; each is resumed with an idle connection, or nil meaning "open a new one".
        var waiters: [CheckedContinuation<PostgresConnection?, Error>] = []
        var closed = false
    }
    private let state = LockedValue(State())

    init(info: String, maximum: Int) {
        self.info = info
        self.maximum = max(1, maximum)
    }

    func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await acquire()
        do {
            let result = try await body(connection)
            release(connection)
            return result
        } catch {
            release(connection)
            throw error
        }
    }

    /// Closes the idle connections now and the busy ones when they come back; waiters fail.
    func close() {
        let waiters = state.withLock { s -> [CheckedContinuation<PostgresConnection?, Error>] in
            s.closed = true
            s.open -= s.idle.count
            s.idle.removeAll()
            defer { s.waiters.removeAll() }
            return s.waiters
        }
        for waiter in waiters { waiter.resume(throwing: PostgresError.closed) }
    }

    private enum Grant { case reuse(PostgresConnection), openNew, wait }

    private func acquire() async throws -> PostgresConnection {
        let grant = try state.withLock { s -> Grant in
            guard !s.closed else { throw PostgresError.closed }
            if let idle = s.idle.popLast() { return .reuse(idle) }
            if s.open < maximum { s.open += 1; return .openNew }
            return .wait
        }
        switch grant {
        case .reuse(let connection): return connection
        case .openNew: return try await openCounted()
        case .wait:
            let handed = try await withCheckedThrowingContinuation { continuation in
                let closed = state.withLock { s -> Bool in
                    if s.closed { return true }
                    s.waiters.append(continuation)
                    return false
                }
                if closed { continuation.resume(throwing: PostgresError.closed) }
            }
            if let handed { return handed }
            return try await openCounted()
        }
    }

    /// Opens a connection whose slot the caller already counted in `open`, giving the slot back on failure.
    private func openCounted() async throws -> PostgresConnection {
        do {
            return try await PostgresConnection.open(info: info)
        } catch {
            let waiter = state.withLock { s -> CheckedContinuation<PostgresConnection?, Error>? in
                s.open -= 1
                guard !s.waiters.isEmpty else { return nil }
                s.open += 1
                return s.waiters.removeFirst()
            }
            waiter?.resume(returning: nil)
            throw error
        }
    }

    private func release(_ connection: PostgresConnection) {
        let healthy = connection.isHealthy
        let waiter = state.withLock { s -> (CheckedContinuation<PostgresConnection?, Error>, PostgresConnection?)? in
            if s.closed || !healthy {
                s.open -= 1
                // A dropped connection usually means the server restarted or the network broke, and
                // then the idle ones are broken too: close them now rather than fail a call each.
                if !healthy {
                    s.open -= s.idle.count
                    s.idle.removeAll()
                }
                guard !s.closed, !s.waiters.isEmpty else { return nil }
                s.open += 1
                return (s.waiters.removeFirst(), nil)
            }
            guard !s.waiters.isEmpty else {
                s.idle.append(connection)
                return nil
            }
            return (s.waiters.removeFirst(), connection)
        }
        if let (continuation, handed) = waiter { continuation.resume(returning: handed) }
    }
}
