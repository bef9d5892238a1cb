import XCTest
import WebBrowser
@testable import ChromiumBrowser

/// Issue 17: a page that stalls Chromium (a script that never yields) costs the step deadline,
/// is reported as a timeout with its time, and the environment works again on the next page.
final class StalledPageTests: XCTestCase {
    func testAStalledPageTimesOutAtTheDeadlineAndTheEnvironmentRecovers() async throws {
        guard ChromiumBrowser.isInstalled else { throw XCTSkip("Chromium is not installed") }
        var configuration = ChromiumBrowser.Configuration()
        configuration.stepTimeout = 4
        configuration.commandTimeout = 3
        configuration.navigationTimeout = 3
        let browser = try await ChromiumBrowser.launch(configuration)
        defer { browser.close() }
        let env = browser.makeEnvironment()
        let stalling = try Fixtures.url("stall.html", "<!doctype html><title>Stall</title><p>spin</p><script>for (;;) {}</script>")
        let fine = try Fixtures.url("fine.html", "<!doctype html><title>Fine</title><h1>Still here</h1>")

        let start = Date()
        do {
            _ = try await env.reset(startURL: stalling)
            XCTFail("a page that never yields should time out")
        } catch ChromiumError.timeout(let method, let seconds) {
            XCTAssertEqual(seconds, 4)
            XCTAssertTrue(method.contains("stall.html"), method)
        }
        // The deadline, plus recovery (closing the stuck tab, a new context): not the command timeouts stacked.
        XCTAssertLessThan(Date().timeIntervalSince(start), 12)

        let next = try await env.reset(startURL: fine)
        XCTAssertNil(next.error)
        XCTAssertTrue(next.text.contains("heading 'Still here'"), next.text)
        await env.close()
    }
}
