import Foundation
import XCTest
@testable import HTTPTransport

/// A loopback port that accepts connections (the kernel's backlog) and never answers: a hung server.
final class SilentServer: @unchecked Sendable {
    private(set) var port: Int
    private let fd: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        port = 0
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 16) == 0 else { throw XCTSkip("cannot listen on loopback") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}

/// Cancelling a request in flight (issue 14 item 7): it ends within about a second, not at its timeout.
final class CancellationTests: XCTestCase {
    func testCancellingTheTaskAbortsAHungRequestPromptly() async throws {
        let server = try SilentServer()
        let client = HTTPClient(configuration: .init(timeout: 120))
        let started = Date()
        let url = "http://127.0.0.1:\(server.port)/slow"
        let request = Task { try await client.send(HTTPRequest(url: url)) }
        try await Task.sleep(nanoseconds: 300_000_000)
        request.cancel()
        do {
            _ = try await request.value
            XCTFail("a hung request cannot succeed")
        } catch {
            XCTAssertTrue(error is CancellationError, "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "not the 120 s timeout")
        // The client is usable again afterwards.
        let again = Task { try await client.send(HTTPRequest(url: url, timeout: 0.5)) }
        do { _ = try await again.value } catch { XCTAssertTrue(error is HTTPError, "\(error)") }
    }

    func testACancelledTaskDoesNotStartARequest() async throws {
        let server = try SilentServer()
        let client = HTTPClient(configuration: .init(timeout: 120))
        let url = "http://127.0.0.1:\(server.port)/"
        let request = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.send(HTTPRequest(url: url))
        }
        do {
            _ = try await request.value
            XCTFail("cancelled before it started")
        } catch {
            XCTAssertTrue(error is CancellationError, "\(error)")
        }
    }
}
