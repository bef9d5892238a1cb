import XCTest
import HTTPTransport
@testable import WebBrowser

/// The allowlist judges the host libcurl will connect to (issue 14 item 9), and file-only lists
/// (MiniWoB++ episodes) admit their own files and nothing else.
final class URLAllowlistTests: XCTestCase {
    func testHostIsReadAsLibcurlReadsIt() throws {
        // libcurl ends the user part at the first `@`.
        XCTAssertEqual(CurlURLParts("http://evil.test@127.0.0.1:8080/a")?.host, "127.0.0.1")
        XCTAssertEqual(CurlURLParts("http://127.0.0.1:8080@evil.test/a")?.host, "evil.test")
        XCTAssertNil(CurlURLParts("http://evil.test@x@127.0.0.1:8080/"), "libcurl refuses a host holding '@'")
        XCTAssertEqual(CurlURLParts("HTTP://LOCALHOST/")?.port, 80)

        let list = URLAllowlist(prefixes: ["127.0.0.1:8080"])
        XCTAssertNil(list.refusal(for: "http://127.0.0.1:8080/page"))
        XCTAssertNil(list.refusal(for: "http://user:pw@127.0.0.1:8080/page"))
        XCTAssertNotNil(list.refusal(for: "http://127.0.0.1:8080@evil.test/"))
        // A last-`@` reading sees 127.0.0.1:8080 here; libcurl does not.
        XCTAssertNotNil(list.refusal(for: "http://evil.test@x@127.0.0.1:8080/"))
        XCTAssertNotNil(list.refusal(for: "http://127.0.0.1:9090/"))

        let prefix = URLAllowlist(prefixes: ["http://localhost:7770"])
        XCTAssertNil(prefix.refusal(for: "http://localhost:7770/forum"))
        XCTAssertNotNil(prefix.refusal(for: "http://localhost:7770@evil.test/"))
        XCTAssertNotNil(prefix.refusal(for: "http://localhost:77700/"))
    }

    func testFileListsAdmitOnlyTheirFiles() {
        let list = URLAllowlist.files(["/cache/html/miniwob/click-test.html", "/cache/html/core/"])
        XCTAssertNil(list.refusal(for: "file:///cache/html/miniwob/click-test.html"))
        XCTAssertNil(list.refusal(for: "file:///cache/html/miniwob/click-test.html?seed=3#x"))
        XCTAssertNil(list.refusal(for: "file:///cache/html/core/core.js"))
        XCTAssertNotNil(list.refusal(for: "file:///cache/html/miniwob/login-user.html"), "another task's page")
        XCTAssertNotNil(list.refusal(for: "file:///cache/html/core/../../../etc/passwd"))
        XCTAssertNotNil(list.refusal(for: "file:///etc/passwd"))
        XCTAssertNotNil(list.refusal(for: "http://127.0.0.1:7770/"), "no web host")
        XCTAssertNil(list.refusal(for: "about:blank"))
    }
}
