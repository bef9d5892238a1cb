import Foundation

/// One client connection, served on its own thread: requests are read, answered and written one
/// after another until either side closes, a limit is hit or the server stops.
final class Connection: @unchecked Sendable {
    private let server: HTTP1Server
    private let id: Int
    private let fd: Int32
    private let info: ConnectionInfo
    private var buffer: [UInt8] = []

    init(server: HTTP1Server, id: Int, fd: Int32, info: ConnectionInfo) {
        self.server = server
        self.id = id
        self.fd = fd
        self.info = info
    }

    func run() {
        defer { server.finish(id, fd: fd) }
        while !server.isStopping, serveOne() {}
    }

    private var configuration: HTTP1Server.Configuration { server.configuration }

    /// Monotonic milliseconds.
    private static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds / 1_000_000 }

    private enum Fill { case more, closed, timedOut }

    /// Reads more bytes, waiting at most until `deadline`.
    private func fill(until deadline: UInt64) -> Fill {
        let now = Self.now()
        guard deadline > now else { return .timedOut }
        let wait = Int32(min(deadline - now, UInt64(Int32.max)))
        switch Socket.waitReadable(fd, milliseconds: wait).0 {
        case .timedOut: return .timedOut
        case .failed: return .closed
        case .readable: return Socket.read(fd, into: &buffer) ? .more : .closed
        }
    }

    /// Answers one request; false when the connection should close.
    private func serveOne() -> Bool {
        // The head. An idle connection may wait `idleTimeout` for its first byte; from then on the
        // whole request must arrive within `requestTimeout`.
        var deadline: UInt64 = buffer.isEmpty
            ? Self.now() + UInt64(configuration.idleTimeout * 1000)
            : Self.now() + UInt64(configuration.requestTimeout * 1000)
        var parsed: (head: RequestHead, end: Int)?
        var scanned = 0
        while parsed == nil {
            switch RequestHeadParser.parse(buffer, from: 0, limit: configuration.maxHeadBytes, scanned: &scanned) {
            case .complete(let head, let headEnd):
                parsed = (head, headEnd)
            case .rejected(let rejection):
                return reject(rejection)
            case .incomplete:
                let wasEmpty = buffer.allSatisfy { $0 == 13 || $0 == 10 }
                switch fill(until: deadline) {
                case .more:
                    if wasEmpty, !buffer.isEmpty { deadline = Self.now() + UInt64(configuration.requestTimeout * 1000) }
                case .closed:
                    return false
                case .timedOut:
                    if buffer.allSatisfy({ $0 == 13 || $0 == 10 }) { return false }
                    return reject(RequestRejection(status: .requestTimeout, message: "The request did not arrive in time."))
                }
            }
        }
        let head = parsed!.head
        var end = parsed!.end

        // The body.
        let framing: BodyFraming
        do { framing = try RequestHeadParser.framing(of: head) } catch let rejection as RequestRejection {
            return reject(rejection)
        } catch { return false }
        var body: [UInt8] = []
        switch framing {
        case .none:
            break
        case .length(let length):
            guard length <= configuration.maxBodyBytes else {
                return reject(RequestRejection(status: .contentTooLarge,
                                               message: "The request body is larger than \(configuration.maxBodyBytes) bytes."))
            }
            if buffer.count - end < length { sendContinueIfExpected(head) }
            while buffer.count - end < length {
                switch fill(until: deadline) {
                case .more: continue
                case .closed: return false
                case .timedOut: return reject(RequestRejection(status: .requestTimeout, message: "The request body did not arrive in time."))
                }
            }
            body = Array(buffer[end..<(end + length)])
            end += length
        case .chunked:
            sendContinueIfExpected(head)
            var decoder = ChunkedBodyDecoder(from: end, limit: configuration.maxBodyBytes)
            decoding: while true {
                switch decoder.decode(buffer) {
                case .complete(let decoded, let bodyEnd):
                    body = decoded
                    end = bodyEnd
                    break decoding
                case .rejected(let rejection):
                    return reject(rejection)
                case .incomplete:
                    switch fill(until: deadline) {
                    case .more: continue
                    case .closed: return false
                    case .timedOut: return reject(RequestRejection(status: .requestTimeout, message: "The request body did not arrive in time."))
                    }
                }
            }
        }
        buffer.removeSubrange(0..<end)

        // The answer.
        let request = Request(method: head.method, uri: URI(head.target), version: head.version, headers: head.headers, body: body)
        let response = respond(to: request)
        let close = !head.keepAlive || server.isStopping
            || response.headers.values(.connection).contains { $0.lowercased().contains("close") }
        let bytes = ResponseEncoder.encode(response, headOnly: head.method == .head, close: close,
                                           http10KeepAlive: head.version == "HTTP/1.0" && !close,
                                           serverName: configuration.serverName)
        return Socket.write(fd, bytes) && !close
    }

    /// Runs the handler as a task and waits for it on this (non-pool) thread.
    private func respond(to request: Request) -> Response {
        let done = DispatchSemaphore(value: 0)
        let result = Locked<Response?>(value: nil)
        let handle = server.handle
        let info = info
        let task = Task {
            let response = await handle(request, info)
            result.withLock { $0 = response }
            done.signal()
        }
        server.setTask(task, for: id)
        done.wait()
        server.setTask(nil, for: id)
        return result.withLock { $0 } ?? HTTPError(.internalServerError).response()
    }

    private func sendContinueIfExpected(_ head: RequestHead) {
        guard head.version == "HTTP/1.1", head.headers.values(.expect).contains(where: { $0.lowercased() == "100-continue" }) else {
            return
        }
        _ = Socket.write(fd, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
    }

    /// Answers a request the server refuses, then closes: after malformed input the stream's
    /// framing cannot be trusted.
    private func reject(_ rejection: RequestRejection) -> Bool {
        let response = ResponseEncoder.rejection(rejection)
        _ = Socket.write(fd, ResponseEncoder.encode(response, headOnly: false, close: true, serverName: configuration.serverName))
        lingeringClose()
        return false
    }

    /// Closing with unread input would make the kernel send a reset, which can destroy the answer
    /// before the client reads it; so stop writing, then read and discard what the client still
    /// sends, for a short while.
    private func lingeringClose() {
        shutdown(fd, Int32(SHUT_WR))
        let deadline = Self.now() + 1000
        var discarded = 0
        while discarded < 64 << 20 {
            buffer.removeAll(keepingCapacity: true)
            guard fill(until: deadline) == .more else { return }
            discarded += buffer.count
        }
    }
}
