import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A WebSocket client (RFC 6455) for the DevTools endpoint of a Chromium that is already running:
/// `ws://host:port/devtools/browser/<id>`. Plain TCP only (DevTools endpoints are loopback or
/// tunnelled); text frames out, masked as the protocol requires of clients; fragmented and
/// control frames in (pings are answered, a close frame ends the connection).
final class WebSocketTransport: DevToolsTransport, @unchecked Sendable {
    private let socket: Int32
    private let writeLock = NSLock()
    private var buffer: [UInt8] = []  // only touched by the one reading thread
    private let closeLock = NSLock()
    private var closed = false

    /// Connects and performs the opening handshake, waiting at most `timeout` seconds for each.
    init(url: String, timeout: Double = 10) throws {
        guard let parsed = URLComponents(string: url), parsed.scheme == "ws", let host = parsed.host else {
            throw ChromiumError.launchFailed("not a ws:// DevTools endpoint: \(url)")
        }
        let port = parsed.port ?? 80
        socket = try Self.connect(host: host, port: port, timeout: timeout)
        do {
            try handshake(host: host, port: port, path: parsed.percentEncodedPath.isEmpty ? "/" : parsed.percentEncodedPath
                          + (parsed.percentEncodedQuery.map { "?" + $0 } ?? ""))
        } catch {
            Glibc.close(socket)
            throw error
        }
    }

    // MARK: DevToolsTransport

    func send(_ message: Data) throws {
        try writeFrame(opcode: 0x1, payload: [UInt8](message))
    }

    func receive() -> Data? {
        var message: [UInt8] = []
        while true {
            guard let frame = readFrame() else { return nil }
            switch frame.opcode {
            case 0x0, 0x1, 0x2:
                message += frame.payload
                if frame.fin { return Data(message) }
            case 0x8:
                try? writeFrame(opcode: 0x8, payload: Array(frame.payload.prefix(2)))
                return nil
            case 0x9:
                try? writeFrame(opcode: 0xA, payload: frame.payload)
            default:
                continue  // pong or reserved: nothing to do
            }
        }
    }

    func close() {
        let first = closeLock.withLock { () -> Bool in
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        try? writeFrame(opcode: 0x8, payload: [0x03, 0xE8])  // 1000: normal closure
        shutdown(socket, Int32(SHUT_RDWR))
        Glibc.close(socket)
    }

    // MARK: frames

    struct Frame {
        var fin: Bool
        var opcode: UInt8
        var payload: [UInt8]
    }

    /// A client frame: FIN set, masked with `mask`.
    static func encodeFrame(opcode: UInt8, payload: [UInt8], mask: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x80 | opcode]
        let count = payload.count
        if count < 126 {
            out.append(0x80 | UInt8(count))
        } else if count <= 0xFFFF {
            out.append(0x80 | 126)
            out += [UInt8(count >> 8), UInt8(count & 0xFF)]
        } else {
            out.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((UInt64(count) >> UInt64(shift)) & 0xFF)) }
        }
        out += mask
        out.reserveCapacity(out.count + count)
        for (i, byte) in payload.enumerated() { out.append(byte ^ mask[i & 3]) }
        return out
    }

    /// The first whole frame at the start of `bytes` and its length, or nil when more bytes are needed.
    static func decodeFrame(_ bytes: ArraySlice<UInt8>) -> (Frame, Int)? {
        let start = bytes.startIndex
        guard bytes.count >= 2 else { return nil }
        let first = bytes[start], second = bytes[start + 1]
        var length = Int(second & 0x7F)
        var offset = 2
        if length == 126 {
            guard bytes.count >= 4 else { return nil }
            length = Int(bytes[start + 2]) << 8 | Int(bytes[start + 3])
            offset = 4
        } else if length == 127 {
            guard bytes.count >= 10 else { return nil }
            length = 0
            for i in 0..<8 { length = length << 8 | Int(bytes[start + 2 + i]) }
            offset = 10
        }
        let masked = second & 0x80 != 0
        var mask: [UInt8] = []
        if masked {
            guard bytes.count >= offset + 4 else { return nil }
            mask = Array(bytes[(start + offset)..<(start + offset + 4)])
            offset += 4
        }
        guard bytes.count >= offset + length else { return nil }
        var payload = Array(bytes[(start + offset)..<(start + offset + length)])
        if masked { for i in payload.indices { payload[i] ^= mask[i & 3] } }
        return (Frame(fin: first & 0x80 != 0, opcode: first & 0x0F, payload: payload), offset + length)
    }

    private func writeFrame(opcode: UInt8, payload: [UInt8]) throws {
        var mask = [UInt8](repeating: 0, count: 4)
        for i in mask.indices { mask[i] = UInt8.random(in: 0...255) }
        let frame = Self.encodeFrame(opcode: opcode, payload: payload, mask: mask)
        try writeLock.withLock { try FileDescriptorIO.writeAll(Data(frame), to: socket) }
    }

    private func readFrame() -> Frame? {
        while true {
            if let (frame, length) = Self.decodeFrame(buffer[...]) {
                buffer.removeFirst(length)
                return frame
            }
            guard readMore() else { return nil }
        }
    }

    private func readMore() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            buffer.append(contentsOf: chunk[0..<n])
            return true
        }
    }

    // MARK: connection

    private func handshake(host: String, port: Int, path: String) throws {
        var keyBytes = [UInt8](repeating: 0, count: 16)
        for i in keyBytes.indices { keyBytes[i] = UInt8.random(in: 0...255) }
        let key = Data(keyBytes).base64EncodedString()
        let request = "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try writeLock.withLock { try FileDescriptorIO.writeAll(Data(request.utf8), to: socket) }
        let terminator: [UInt8] = [13, 10, 13, 10]
        var headerEnd: Int?
        while headerEnd == nil {
            headerEnd = buffer.indices.dropLast(3).first { Array(buffer[$0..<($0 + 4)]) == terminator }
            if headerEnd == nil {
                guard buffer.count < 65_536, readMore() else {
                    throw ChromiumError.launchFailed("the DevTools endpoint closed the WebSocket handshake")
                }
            }
        }
        let head = String(decoding: buffer[..<headerEnd!], as: UTF8.self)
        buffer.removeFirst(headerEnd! + 4)
        let lines = head.components(separatedBy: "\r\n")
        guard let status = lines.first, status.split(separator: " ").dropFirst().first == "101" else {
            throw ChromiumError.launchFailed("the DevTools endpoint refused the WebSocket upgrade: \(lines.first ?? "")")
        }
        let accept = lines.dropFirst().first { $0.lowercased().hasPrefix("sec-websocket-accept:") }
            .map { $0.drop { $0 != ":" }.dropFirst().trimmingCharacters(in: .whitespaces) }
        let expected = Data(SHA1.digest(Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))).base64EncodedString()
        guard accept == expected else {
            throw ChromiumError.launchFailed("the DevTools endpoint answered the WebSocket handshake with a wrong accept key")
        }
    }

    private static func connect(host: String, port: Int, timeout: Double) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &results)
        guard status == 0, let first = results else {
            throw ChromiumError.launchFailed("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(results) }
        var lastError = "no address"
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            let fd = Glibc.socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard fd >= 0 else { continue }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            var wait = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
            if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return fd
            }
            lastError = String(cString: strerror(errno))
            Glibc.close(fd)
        }
        throw ChromiumError.launchFailed("cannot connect to \(host):\(port): \(lastError)")
    }
}
