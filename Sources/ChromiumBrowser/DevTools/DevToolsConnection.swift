import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NNetnavSupport

/// An event pushed by Chromium (`Page.loadEventFired`, `Target.targetCreated`...).
public struct DevToolsEvent: Sendable {
    public let method: String
    public let sessionID: String?
    public let params: JSONValue
}

/// One DevTools protocol connection (over Chromium's debugging pipe or a WebSocket): replies
/// matched to commands by id, events to their listeners, every command bounded by a hard timeout.
///
/// A dedicated thread blocks on the transport; commands are written under a lock. Nothing
/// here waits without a deadline, so a hung renderer surfaces as `ChromiumError.timeout`.
public final class DevToolsConnection: @unchecked Sendable {
    private struct Pending {
        let method: String
        let continuation: CheckedContinuation<Data, Error>
        let timer: Task<Void, Never>
    }

    private let transport: any DevToolsTransport
    private let lock = NSLock()
    private var nextID = 1
    private var pending: [Int: Pending] = [:]
    private var listeners: [UUID: (session: String?, handler: @Sendable (DevToolsEvent) -> Void)] = [:]
    private var closed = false
    public let defaultTimeout: Double
    /// `NNETNAV_CDP_TRACE=1` prints every command's round trip and decoding time to stderr.
    static let trace = ProcessInfo.processInfo.environment["NNETNAV_CDP_TRACE"] == "1"

    init(transport: any DevToolsTransport, defaultTimeout: Double = 15) {
        self.transport = transport
        self.defaultTimeout = defaultTimeout
        let thread = Thread { [weak self, transport] in
            while let message = transport.receive() {
                guard let self else { return }
                self.dispatch(message)
            }
            self?.closeAll()
        }
        thread.name = "chromium-devtools-reader"
        thread.start()
    }

    public var isClosed: Bool { lock.withLock { closed } }

    /// Sends a command and decodes its `result`. `session` targets an attached page (flat mode).
    public func send<Result: Decodable>(_ method: String, _ params: JSONValue = [:], session: String? = nil,
                                        timeout: Double? = nil, as: Result.Type = Result.self) async throws -> Result {
        let start = Date()
        let data = try await sendRaw(method, params, session: session, timeout: timeout)
        let received = Date()
        let reply: Reply<Result>
        do {
            reply = try JSONDecoder().decode(Reply<Result>.self, from: data)
        } catch {
            throw ChromiumError.protocolError(method: method, message: "unexpected reply: \(error)")
        }
        if Self.trace {
            FileHandle.standardError.write(Data(String(format: "cdp %@ %.1f ms + decode %.1f ms (%d bytes)\n", method,
                received.timeIntervalSince(start) * 1000, Date().timeIntervalSince(received) * 1000, data.count).utf8))
        }
        if let error = reply.error { throw ChromiumError.protocolError(method: method, message: error.message) }
        guard let result = reply.result else { throw ChromiumError.protocolError(method: method, message: "no result") }
        return result
    }

    /// Sends a command whose result does not matter (errors still throw).
    public func call(_ method: String, _ params: JSONValue = [:], session: String? = nil, timeout: Double? = nil) async throws {
        let _: JSONValue = try await send(method, params, session: session, timeout: timeout)
    }

    /// Cancelling the calling task fails the command at once with `CancellationError` (its late
    /// reply is dropped), so Ctrl-C never waits out a page load's or a script's timeout.
    func sendRaw(_ method: String, _ params: JSONValue, session: String?, timeout: Double?) async throws -> Data {
        let seconds = timeout ?? defaultTimeout
        let id: Int = lock.withLock {
            defer { nextID += 1 }
            return nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Data, Error>) in
                lock.lock()
                if closed {
                    lock.unlock()
                    continuation.resume(throwing: ChromiumError.disconnected)
                    return
                }
                // Cancelled before the command was registered: the handler found nothing to fail.
                if Task.isCancelled {
                    lock.unlock()
                    continuation.resume(throwing: CancellationError())
                    return
                }
                let timer = Task { [weak self] in
                    try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
                    if Task.isCancelled { return }
                    self?.fail(id: id, with: ChromiumError.timeout(method: method, seconds: seconds))
                }
                pending[id] = Pending(method: method, continuation: continuation, timer: timer)
                lock.unlock()

                var message: JSONValue = ["id": .number(Double(id)), "method": .string(method), "params": params]
                if let session, case .object(var o) = message { o["sessionId"] = .string(session); message = .object(o) }
                do {
                    try write(try JSONEncoder().encode(message))
                } catch {
                    fail(id: id, with: error)
                }
            }
        } onCancel: {
            fail(id: id, with: CancellationError())
        }
    }

    /// Registers a handler for events of one session (nil: browser-level events).
    @discardableResult
    public func addListener(session: String?, _ handler: @escaping @Sendable (DevToolsEvent) -> Void) -> UUID {
        let token = UUID()
        lock.withLock { listeners[token] = (session, handler) }
        return token
    }

    public func removeListener(_ token: UUID) {
        _ = lock.withLock { listeners.removeValue(forKey: token) }
    }

    private func fail(id: Int, with error: Error) {
        let entry = lock.withLock { pending.removeValue(forKey: id) }
        entry?.timer.cancel()
        entry?.continuation.resume(throwing: error)
    }

    private func write(_ message: Data) throws {
        try lock.withLock {
            guard !closed else { throw ChromiumError.disconnected }
            try transport.send(message)
        }
    }

    /// Ends the connection; pending commands fail with `ChromiumError.disconnected`.
    func close() {
        transport.close()
        closeAll()
    }

    private func closeAll() {
        let entries = lock.withLock { () -> [Pending] in
            closed = true
            defer { pending.removeAll() }
            return Array(pending.values)
        }
        for entry in entries {
            entry.timer.cancel()
            entry.continuation.resume(throwing: ChromiumError.disconnected)
        }
    }

    private func dispatch(_ message: Data) {
        if let id = Self.leadingID(message) {
            let entry = lock.withLock { pending.removeValue(forKey: id) }
            entry?.timer.cancel()
            entry?.continuation.resume(returning: message)
            return
        }
        guard let envelope = try? JSONDecoder().decode(EventEnvelope.self, from: message) else { return }
        if let id = envelope.id {
            let entry = lock.withLock { pending.removeValue(forKey: id) }
            entry?.timer.cancel()
            entry?.continuation.resume(returning: message)
            return
        }
        guard let method = envelope.method else { return }
        let handlers = lock.withLock { listeners.values.filter { $0.session == envelope.sessionId }.map(\.handler) }
        let event = DevToolsEvent(method: method, sessionID: envelope.sessionId, params: envelope.params ?? .null)
        for handler in handlers { handler(event) }
    }

    /// Chromium writes replies as `{"id":N,...}`; reading N from the prefix avoids parsing
    /// a multi-megabyte accessibility tree twice.
    private static func leadingID(_ message: Data) -> Int? {
        let prefix = Array("{\"id\":".utf8)
        guard message.count > prefix.count, message.prefix(prefix.count).elementsEqual(prefix) else { return nil }
        var value = 0
        var sawDigit = false
        for byte in message.dropFirst(prefix.count) {
            guard byte >= 48 && byte <= 57 else { break }
            value = value * 10 + Int(byte - 48)
            sawDigit = true
        }
        return sawDigit ? value : nil
    }

    private struct Reply<Result: Decodable>: Decodable {
        struct Failure: Decodable { let message: String }
        let result: Result?
        let error: Failure?
    }

    private struct EventEnvelope: Decodable {
        let id: Int?
        let method: String?
        let sessionId: String?
        let params: JSONValue?
    }
}
