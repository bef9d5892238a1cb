import Foundation
import XCTest
@testable import ChromiumBrowser

/// The WebSocket transport: frames and the handshake key by the RFC's examples, then a real
/// Chromium started with `--remote-debugging-port` driven through it, by WebSocket URL and by
/// HTTP discovery endpoint.
final class DevToolsWebSocketTests: XCTestCase {
    func testHandshakeKeyAndFramesFollowRFC6455() throws {
        // RFC 6455 §1.3's example key and accept value.
        let accept = Data(SHA1.digest(Array("dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11".utf8)))
        XCTAssertEqual(accept.base64EncodedString(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        XCTAssertEqual(SHA1.digest(Array("abc".utf8)).map { String(format: "%02x", $0) }.joined(),
                       "a9993e364706816aba3e25717850c26c9cd0d89d")

        // RFC 6455 §5.7: a masked "Hello".
        let hello = WebSocketTransport.encodeFrame(opcode: 0x1, payload: Array("Hello".utf8), mask: [0x37, 0xfa, 0x21, 0x3d])
        XCTAssertEqual(hello, [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58])
        let (decoded, length) = try XCTUnwrap(WebSocketTransport.decodeFrame(hello[...]))
        XCTAssertEqual(length, hello.count)
        XCTAssertEqual(String(decoding: decoded.payload, as: UTF8.self), "Hello")
        XCTAssertTrue(decoded.fin)

        // 16-bit and 64-bit lengths round-trip; a partial frame asks for more bytes.
        for size in [125, 126, 65_535, 65_536, 300_000] {
            let payload = (0..<size).map { UInt8($0 % 251) }
            let frame = WebSocketTransport.encodeFrame(opcode: 0x2, payload: payload, mask: [1, 2, 3, 4])
            XCTAssertNil(WebSocketTransport.decodeFrame(frame.dropLast()))
            let (back, used) = try XCTUnwrap(WebSocketTransport.decodeFrame(frame[...]))
            XCTAssertEqual(used, frame.count)
            XCTAssertEqual(back.payload, payload, "size \(size)")
        }
    }

    func testDrivesARunningChromiumOverItsDevToolsWebSocket() async throws {
        guard let executable = ChromiumProcess.locateExecutable() else { throw XCTSkip("Chromium is not installed") }
        let (process, webSocketURL) = try Self.startWithDebuggingPort(executable)
        defer { process.terminate(); process.waitUntilExit() }

        let page = try Fixtures.url("ws.html", """
            <title>Remote</title><button onclick="document.getElementById('out').textContent='clicked'">Press</button>
            <p id=out>waiting</p>
            """)
        let port = try XCTUnwrap(URLComponents(string: webSocketURL)?.port)
        for endpoint in [webSocketURL, "http://127.0.0.1:\(port)"] {
            let browser = try await ChromiumBrowser.connect(to: endpoint)
            let version = try await browser.version()
            XCTAssertTrue(version.hasPrefix("HeadlessChrome/") || version.hasPrefix("Chrome/"), version)
            let env = browser.makeEnvironment()
            let first = try await env.reset(startURL: page)
            XCTAssertTrue(first.text.contains("button 'Press'"), first.text)
            let id = try XCTUnwrap(first.text.split(separator: "\n").first { $0.contains("button 'Press'") }
                .flatMap { line in line.split(separator: "[").dropFirst().first?.split(separator: "]").first }.flatMap { Int($0) })
            let after = try await env.step(.click(id: id))
            XCTAssertTrue(after.text.contains("clicked"), "the page's script ran: \(after.text)")
            await env.close()
            browser.close()
            XCTAssertFalse(browser.isAlive, "closing ends the connection")
        }
        XCTAssertTrue(process.isRunning, "a browser we connected to keeps running after we close")
    }

    func testABadEndpointIsAClearError() async throws {
        do {
            _ = try await ChromiumBrowser.connect(to: "http://127.0.0.1:9")
            XCTFail("connected to nothing")
        } catch let error as ChromiumError {
            XCTAssertTrue("\(error)".contains("127.0.0.1:9"), "\(error)")
        }
        do {
            _ = try await ChromiumBrowser.connect(to: "ftp://example")
            XCTFail("accepted a bad scheme")
        } catch let error as ChromiumError {
            XCTAssertTrue("\(error)".contains("ws://"), "\(error)")
        }
    }

    /// Starts Chromium listening on a free port and reads its WebSocket URL from stderr.
    static func startWithDebuggingPort(_ executable: String) throws -> (Process, String) {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-ws-\(UUID().uuidString)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ChromiumProcess.defaultArguments.filter { $0 != "--remote-debugging-pipe" }
            + ["--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1", "--user-data-dir=\(profile.path)",
               "about:blank"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var text = ""
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            if let range = text.range(of: "ws://[^\\s]+", options: .regularExpression) {
                // Keep draining stderr so Chromium never blocks on a full pipe.
                let handle = errors.fileHandleForReading
                handle.readabilityHandler = { _ = $0.availableData }
                return (process, String(text[range]))
            }
        }
        process.terminate()
        throw XCTSkip("Chromium did not report a DevTools WebSocket: \(text.suffix(300))")
    }
}
