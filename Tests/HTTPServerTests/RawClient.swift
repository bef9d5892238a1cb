import Foundation
import XCTest
@testable import HTTPServer

/// A test client over a plain TCP socket, so tests control every byte sent (malformed requests,
/// partial requests, several requests on one connection) and see every byte answered.
final class RawClient {
    let fd: Int32

    init(port: Int, host: String = "127.0.0.1") throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host)
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw Failure(message: "cannot connect to port \(port): errno \(errno)")
        }
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    struct Failure: Error { let message: String }

    func send(_ text: String) { send(Array(text.utf8)) }
    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    private var pending: [UInt8] = []

    /// Reads one response (status line, headers, Content-Length body).
    func readResponse() throws -> RawResponse {
        while true {
            if let end = headEnd(), let response = try parse(headEnd: end) { return response }
            guard fill() else { throw Failure(message: "connection closed before a full response: \(String(decoding: pending, as: UTF8.self))") }
        }
    }

    /// True when the server has closed the connection (reads end of stream), after any pending bytes.
    func isClosedByServer() -> Bool {
        while true {
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = recv(fd, &chunk, chunk.count, 0)
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
    }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &chunk, chunk.count, 0)
        guard n > 0 else { return false }
        pending.append(contentsOf: chunk[0..<n])
        return true
    }

    private func headEnd() -> Int? {
        guard pending.count >= 4 else { return nil }
        for i in 0...(pending.count - 4) where pending[i] == 13 && pending[i + 1] == 10 && pending[i + 2] == 13 && pending[i + 3] == 10 {
            return i + 4
        }
        return nil
    }

    private func parse(headEnd: Int) throws -> RawResponse? {
        let head = String(decoding: pending[0..<headEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else { throw Failure(message: "bad status line \(statusLine)") }
        var headers: [(String, String)] = []
        for line in lines {
            let kv = line.split(separator: ":", maxSplits: 1)
            headers.append((String(kv[0]), kv.count > 1 ? kv[1].trimmingCharacters(in: .whitespaces) : ""))
        }
        let response = RawResponse(statusLine: statusLine, status: status, headers: headers, body: [])
        if status == 100 {
            pending.removeFirst(headEnd)
            return response
        }
        let length = Int(response.header("Content-Length") ?? "0") ?? 0
        guard pending.count >= headEnd + length else { return nil }
        var complete = response
        complete.body = Array(pending[headEnd..<(headEnd + length)])
        pending.removeFirst(headEnd + length)
        return complete
    }
}

struct RawResponse {
    var statusLine: String
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    func headers(_ name: String) -> [String] { headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1) }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// True when something accepts TCP connections on 127.0.0.1:`port`.
func somethingListens(on port: Int) -> Bool { (try? RawClient(port: port)) != nil }

/// True when `port` can be bound on 127.0.0.1 again.
func canBind(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    } == 0 && listen(fd, 1) == 0
}

/// Open file descriptors of this process.
func openDescriptorCount() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}
