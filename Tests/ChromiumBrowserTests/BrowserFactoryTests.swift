import XCTest
import WebBrowser
@testable import ChromiumBrowser

final class BrowserFactoryTests: XCTestCase {
    func testNativeBackendRefusesMiniWoBWithAClearError() async throws {
        let factory = BrowserFactory(backend: .native)
        do {
            _ = try await factory.withEnvironment(startURL: "miniwob://login-user?seed=1") { _ in 0 }
            XCTFail("MiniWoB++ needs JavaScript")
        } catch let error as BrowserFactoryError {
            XCTAssertTrue(error.description.contains("--browser chromium"))
        }
        let isNative = try await factory.withEnvironment { env in env is BrowserSession }
        XCTAssertTrue(isNative)
    }

    func testChromiumBackendLendsMiniWoBEnvironmentsForMiniWoBURLs() async throws {
        guard ChromiumBrowser.isInstalled else { throw XCTSkip("Chromium is not installed (apt-get install -y chromium)") }
        guard (try? MiniWoBPages.prepare()) != nil else { throw XCTSkip("MiniWoB++ pages unavailable (PyPI unreachable?)") }
        let factory = BrowserFactory(backend: .chromium)
        let url = MiniWoBEnvironment.startURL(task: "click-button", seed: 3)
        let (utterance, text) = try await factory.withEnvironment(startURL: url) { env in
            let observation = try await env.reset(startURL: url)
            return ((env as? MiniWoBEnvironment)?.utterance ?? "", observation.text)
        }
        await factory.shutdown()
        XCTAssertTrue(utterance.hasPrefix("Click on the"), utterance)
        XCTAssertTrue(text.contains("button"), text)
    }
}
