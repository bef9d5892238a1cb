import XCTest
import Foundation
import WebBrowser
@testable import ChromiumBrowser

/// Issue 14 item 9: with an allowlist, no request leaves Chromium for a host outside it: not the
/// page's scripts' fetch/XHR, not images, not a popup's first load, not a WebSocket handshake
/// (which Fetch does not pause: the context's proxy refuses it).
final class RequestFilterTests: XCTestCase {
    static func page(port: UInt16) -> String {
        """
        <!doctype html><title>Leaky</title>
        <img src="http://127.0.0.1:\(port)/image.png" alt="remote">
        <button onclick="window.open('http://127.0.0.1:\(port)/popup')">Open popup</button>
        <script>
          fetch('http://127.0.0.1:\(port)/fetch').catch(() => {});
          const xhr = new XMLHttpRequest(); xhr.open('GET', 'http://127.0.0.1:\(port)/xhr'); xhr.send();
          try { new WebSocket('ws://127.0.0.1:\(port)/websocket'); } catch (e) {}
        </script>
        """
    }

    private func visit(_ env: ChromiumEnvironment, _ page: String) async throws {
        let home = try await env.reset(startURL: page)
        XCTAssertNil(home.error)
        let row = try XCTUnwrap(home.text.split(separator: "\n").first { $0.contains("button 'Open popup'") }, home.text)
        let id = try XCTUnwrap(Int(row.drop { $0 != "[" }.dropFirst().prefix { $0 != "]" }))
        _ = try await env.step(.click(id: id))
        try await Task.sleep(nanoseconds: 1_000_000_000)
    }

    func testEveryRequestTypeAndPopupsOutsideTheAllowlistAreRefused() async throws {
        let browser = try await SharedChromium.shared.browser()
        let server = try ConnectionCountingTestDoubleServer()
        defer { server.stop() }
        let page = try Fixtures.url("leaky.html", Self.page(port: server.port))

        let open = browser.makeEnvironment()
        try await visit(open, page)
        await open.close()
        // Without an allowlist the page reaches the server (the test can tell a leak).
        XCTAssertGreaterThanOrEqual(server.paths.count, 3, "\(server.paths)")
        XCTAssertTrue(server.paths.contains("/websocket"), "the unguarded page opened its WebSocket: \(server.paths)")

        server.reset()
        let guarded = browser.makeEnvironment(allowlist: URLAllowlist(prefixes: ["http://127.0.0.1:1"], allowFileURLs: true))
        try await visit(guarded, page)
        await guarded.close()
        XCTAssertEqual(server.paths, [], "requests left the browser for a host outside the allowlist")
    }

    func testTheContextProxyBypassesOnlyTheAllowlistsHosts() {
        let sites = URLAllowlist(prefixes: ["http://127.0.0.1:7770/", "localhost:9999", "https://example.org/wiki/"])
        XCTAssertEqual(sites.chromiumContextProxy["proxyBypassList"],
                       .string("<-loopback>;127.0.0.1:7770;localhost:9999;example.org"))
        XCTAssertEqual(sites.chromiumContextProxy["proxyServer"], .string(URLAllowlist.unreachableProxy))
        XCTAssertEqual(URLAllowlist.files(["/cache/miniwob/"]).chromiumContextProxy["proxyBypassList"], .string("<-loopback>"),
                       "a file-only episode reaches no host at all")
        XCTAssertTrue(URLAllowlist().chromiumContextProxy.isEmpty, "no allowlist entries: any web host, no proxy")
    }

    func testMiniWoBEpisodesMayOpenOnlyTheirOwnTaskPageAndSharedScripts() {
        let pages = MiniWoBPages(root: URL(fileURLWithPath: "/cache/miniwob-1.1.0/html"))
        let list = pages.allowlist(for: "click-test")
        XCTAssertNil(list.refusal(for: "file:///cache/miniwob-1.1.0/html/miniwob/click-test.html"))
        XCTAssertNil(list.refusal(for: "file:///cache/miniwob-1.1.0/html/core/core.js"))
        XCTAssertNil(list.refusal(for: "file:///cache/miniwob-1.1.0/html/common/special/checkbox.png"))
        XCTAssertNotNil(list.refusal(for: "file:///cache/miniwob-1.1.0/html/miniwob/login-user.html"))
        XCTAssertNotNil(list.refusal(for: "file:///home/user/.ssh/id_rsa"))
        XCTAssertNotNil(list.refusal(for: "http://127.0.0.1:7770/"))
        XCTAssertNotNil(list.refusal(for: "https://example.com/"))
    }
}

/// A loopback TCP server that only records the request line of each connection (the path, or
/// `?` when nothing readable came) and closes it: enough to see whether a browser reached it.
final class ConnectionCountingTestDoubleServer: @unchecked Sendable {
    let port: UInt16
    private let socket: Int32
    private let lock = NSLock()
    private var seen: [String] = []
    private var stopped = false

    var paths: [String] { lock.withLock { seen } }
    func reset() { lock.withLock { seen = [] } }

    init() throws {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { throw XCTSkip("cannot listen on loopback") }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        socket = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    private func serve() {
        while true {
            let client = accept(socket, nil, nil)
            if client < 0 { return }
            if lock.withLock({ stopped }) { close(client); return }
            var buffer = [UInt8](repeating: 0, count: 2048)
            let count = read(client, &buffer, buffer.count)
            let head = count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : ""
            let path = head.split(separator: " ").dropFirst().first.map(String.init) ?? "?"
            lock.withLock { seen.append(path) }
            let reply = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            _ = reply.withCString { write(client, $0, strlen($0)) }
            close(client)
        }
    }

    func stop() {
        lock.withLock { stopped = true }
        shutdown(socket, Int32(SHUT_RDWR))
        close(socket)
    }
}
