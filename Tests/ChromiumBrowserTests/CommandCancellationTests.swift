import XCTest
import NNetnavSupport
import WebBrowser
@testable import ChromiumBrowser

/// Issue 14 item 7: a DevTools command in flight (a page load, a script) ends as soon as its task
/// is cancelled, instead of waiting out its timeout, and the connection stays usable.
final class CommandCancellationTests: XCTestCase {
    func testCancellingTheCallerEndsAPendingCommandAtOnce() async throws {
        let browser = try await SharedChromium.shared.browser()
        let connection = browser.connection
        struct Created: Decodable { let targetId: String }
        let created: Created = try await connection.send("Target.createTarget", ["url": "about:blank"])
        let tab = try await ChromiumTab.attach(targetID: created.targetId, connection: connection)
        defer { Task { try? await connection.call("Target.closeTarget", ["targetId": .string(created.targetId)]) } }
        let started = Date()
        // A promise that never settles: the reply would come only at the 60 s timeout.
        let pending = Task {
            try await tab.call("Runtime.evaluate", ["expression": "new Promise(() => {})", "awaitPromise": true], timeout: 60)
        }
        try await Task.sleep(nanoseconds: 300_000_000)
        pending.cancel()
        do {
            try await pending.value
            XCTFail("a never-settling command should not succeed")
        } catch is CancellationError {
        } catch {
            XCTFail("expected CancellationError, got \(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "cancelled at once, not at the 60 s timeout")
        // The connection still answers.
        struct Version: Decodable { let product: String }
        let version: Version = try await connection.send("Browser.getVersion", timeout: 10)
        XCTAssertFalse(version.product.isEmpty)
    }
}
