import XCTest
@testable import HTTPTransport

final class HTTPClientErrorTests: XCTestCase {
    func testRefusesFileURLsUnlessAllowed() throws {
        let client = HTTPClient()
        XCTAssertThrowsError(try client.sendBlocking(HTTPRequest(url: "file:///etc/hostname"))) { error in
            XCTAssertEqual(error as? HTTPError, .protocolNotAllowed(url: "file:///etc/hostname"))
        }
    }

    func testReadsFileURLsWhenAllowed() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-http-\(UUID()).html")
        try Data("<p>hello</p>".utf8).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let client = HTTPClient(configuration: .init(allowFileURLs: true))
        let response = try client.sendBlocking(HTTPRequest(url: path.absoluteString))
        XCTAssertEqual(response.text, "<p>hello</p>")
        XCTAssertEqual(response.status, 200)
    }

    func testRejectsUnknownSchemes() {
        XCTAssertThrowsError(try HTTPClient().sendBlocking(HTTPRequest(url: "gopher://example.org/"))) { error in
            XCTAssertEqual(error as? HTTPError, .invalidURL("gopher://example.org/"))
        }
    }

    func testConnectionRefusedIsAClearError() {
        // Port 9 (discard) is closed on loopback in these sandboxes.
        XCTAssertThrowsError(try HTTPClient().sendBlocking(HTTPRequest(url: "http://127.0.0.1:9/"))) { error in
            guard case .connectionFailed = error as? HTTPError else { return XCTFail("got \(error)") }
        }
    }
}
