#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A small HTTP/1.1 server over POSIX sockets: one thread accepts, one thread per connection reads
/// requests and writes responses (keep-alive, Content-Length or chunked request bodies, HEAD), and
/// each request's handler runs as a task. A slow or hostile client only ever holds its own thread,
/// within the time limits below; malformed input gets a 4xx and the connection is closed.
///
/// ```swift
/// let server = try HTTP1Server.start(responder: router.buildResponder())   // 127.0.0.1, a free port
/// print(server.port)
/// await server.stop()                                                       // the port is free again
/// ```
public final class HTTP1Server: @unchecked Sendable {
    public struct Configuration: Sendable {
        /// Address to bind: "127.0.0.1", "::1", "0.0.0.0", a host name.
        public var host: String
        /// 0 lets the kernel choose a free port; read it back from `HTTP1Server.port`.
        public var port: Int
        /// Request line plus header fields; larger heads get 431.
        public var maxHeadBytes: Int
        /// Request bodies; larger ones get 413.
        public var maxBodyBytes: Int
        /// Seconds a kept-alive connection may sit idle between requests before the server closes it.
        public var idleTimeout: Double
        /// Seconds from a request's first byte to its last; a client that dawdles gets 408.
        public var requestTimeout: Double
        /// Seconds a response write may block on a client that does not read.
        public var writeTimeout: Double
        /// Connections open at once; further ones get 503.
        public var maxConnections: Int
        /// Sent as the Server header when set.
        public var serverName: String?

        public init(host: String = "127.0.0.1", port: Int = 0, maxHeadBytes: Int = 64 << 10, maxBodyBytes: Int = 16 << 20,
                    idleTimeout: Double = 120, requestTimeout: Double = 30, writeTimeout: Double = 60,
                    maxConnections: Int = 1024, serverName: String? = nil) {
            self.host = host
            self.port = port
            self.maxHeadBytes = maxHeadBytes
            self.maxBodyBytes = maxBodyBytes
            self.idleTimeout = idleTimeout
            self.requestTimeout = requestTimeout
            self.writeTimeout = writeTimeout
            self.maxConnections = maxConnections
            self.serverName = serverName
        }
    }

    /// Turns a request from a connection into a response; never throws (errors become responses).
    typealias Handle = @Sendable (Request, ConnectionInfo) async -> Response

    /// The port the server listens on.
    public let port: Int
    public let configuration: Configuration
    let handle: Handle

    private let listener: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let threads = DispatchGroup()
    private let state = Locked(value: State())

    private struct State {
        var stopping = false
        /// The wake pipe is closed once the server has stopped, not at deinit: a connection thread's
        /// closure can keep the server alive a moment after `stop()` returns.
        var wakePipeOpen = true
        var nextID = 0
        /// Open connections: their sockets (shut down on stop) and the task answering them, if any.
        var connections: [Int: (fd: Int32, task: Task<Void, Never>?)] = [:]
    }

    /// Binds and starts accepting; returns once the server listens.
    public static func start<Responder: HTTPResponder>(_ configuration: Configuration = Configuration(),
                                                        responder: Responder) throws -> HTTP1Server {
        let handle: Handle = { request, connection in
            do {
                return try await responder.respond(to: request, context: Responder.Context(connection: connection))
            } catch let error as HTTPResponseError {
                return error.response()
            } catch is CancellationError {
                return HTTPError(.serviceUnavailable, message: "The server is stopping.").response()
            } catch {
                return HTTPError(.internalServerError).response()
            }
        }
        return try HTTP1Server(configuration: configuration, handle: handle)
    }

    private init(configuration: Configuration, handle: @escaping Handle) throws {
        let (fd, port) = try Socket.listen(host: configuration.host, port: configuration.port, backlog: 128)
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else {
            close(fd)
            throw Socket.Failure(call: "pipe", code: errno)
        }
        self.listener = fd
        self.port = port
        self.configuration = configuration
        self.handle = handle
        self.wakeRead = pipeFDs[0]
        self.wakeWrite = pipeFDs[1]
        threads.enter()
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "http-accept-\(port)"
        thread.stackSize = 256 << 10
        thread.start()
    }

    deinit {
        closeWakePipe()
    }

    private func closeWakePipe() {
        let open = state.withLock { state -> Bool in
            defer { state.wakePipeOpen = false }
            return state.wakePipeOpen
        }
        if open {
            close(wakeRead)
            close(wakeWrite)
        }
    }

    /// Stops accepting, closes every connection (cancelling handlers still running) and returns
    /// once every thread of the server has ended and the port is free.
    public func stop() async {
        requestStop()
        await waitUntilStopped()
    }

    /// Starts stopping without waiting (e.g. from a signal handler or a cancellation handler).
    public func requestStop() {
        state.withLock { state in
            guard !state.stopping else { return }
            state.stopping = true
            for connection in state.connections.values {
                shutdown(connection.fd, Int32(SHUT_RDWR))
                connection.task?.cancel()
            }
            // Under the lock, so the pipe cannot be closed (and its number reused) in between.
            if state.wakePipeOpen {
                var byte: UInt8 = 1
                _ = write(wakeWrite, &byte, 1)
            }
        }
    }

    /// Returns once the server has stopped.
    public func waitUntilStopped() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            threads.notify(queue: .global()) { continuation.resume() }
        }
        // Every thread has ended, so nothing reads the pipe any more; once stopping, nothing writes it.
        if isStopping { closeWakePipe() }
    }

    /// Open connections right now (for tests and diagnostics).
    public var connectionCount: Int { state.withLock { $0.connections.count } }

    private func acceptLoop() {
        defer {
            close(listener)
            threads.leave()
        }
        while true {
            let (readiness, woken) = Socket.waitReadable(listener, wake: wakeRead, milliseconds: -1)
            if woken || readiness == .failed { return }
            guard let (fd, host, peerPort) = Socket.accept(listener) else {
                // EMFILE and the like: back off briefly rather than spin.
                if errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM { usleep(10_000) }
                continue
            }
            let id = state.withLock { state -> Int? in
                guard !state.stopping, state.connections.count < configuration.maxConnections else { return nil }
                state.nextID += 1
                state.connections[state.nextID] = (fd, nil)
                return state.nextID
            }
            guard let id else {
                let refusal = HTTPError(.serviceUnavailable, message: "Too many connections.").response()
                _ = Socket.write(fd, ResponseEncoder.encode(refusal, headOnly: false, close: true, serverName: configuration.serverName))
                close(fd)
                continue
            }
            Socket.setSendTimeout(fd, seconds: configuration.writeTimeout)
            let connection = Connection(server: self, id: id, fd: fd,
                                        info: ConnectionInfo(remoteAddress: host, remotePort: peerPort, localPort: port))
            threads.enter()
            let thread = Thread { connection.run() }
            thread.name = "http-connection-\(port)"
            thread.stackSize = 256 << 10
            thread.start()
        }
    }

    // MARK: - For connections

    var isStopping: Bool { state.withLock { $0.stopping } }

    /// Records the task answering connection `id`; false (and the task cancelled) when stopping.
    func setTask(_ task: Task<Void, Never>?, for id: Int) {
        let cancel = state.withLock { state -> Bool in
            state.connections[id]?.task = task
            return state.stopping
        }
        if cancel { task?.cancel() }
    }

    /// Forgets and closes connection `id`; its thread then ends.
    func finish(_ id: Int, fd: Int32) {
        state.withLock { _ = $0.connections.removeValue(forKey: id) }
        close(fd)
        threads.leave()
    }
}
