import Foundation
import XCTest
import TestSupport
@testable import HTTPTransport

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
