import ChromiumBrowser
import Foundation
import WebBrowser
import WebSites
import WebTasks
import XCTest
@testable import Environments
import TestSupport

/// `ChromiumEnvironment` as a `ScriptableBrowser` on the bundled sites' pages: it finds the
/// elements its observation shows, and reads the same text as the native browser for the locators
/// the task sets use (compared without whitespace: the native browser spaces every element apart,
/// Chromium lays inline text out as written), and goes where the native browser goes.
final class ChromiumScriptableBrowserTests: XCTestCase {
    func testTheBrowserSourceStartsChromiumAgainAfterItDies() async throws {
        try TestRequirements.chromium()
        let source = ChromiumBrowserSource(browser: try await ChromiumBrowser.launch())
        defer { source.close() }
        let first = try await source.makeBrowser(allowedURLPrefixes: ["http://127.0.0.1:1"])
        _ = try await first.reset(startURL: "about:blank")
        await first.close()

        source.browser.close()  // as if Chromium had crashed
        XCTAssertFalse(source.browser.isAlive)
        let second = try await source.makeBrowser(allowedURLPrefixes: ["http://127.0.0.1:1"])
        let observation = try await second.reset(startURL: "about:blank")
        XCTAssertNil(observation.error)
        XCTAssertEqual(source.relaunches, 1)
        XCTAssertTrue(source.browser.isAlive)
        await second.close()
    }

    func testElementLookupGivesTheIdsTheObservationShows() async throws {
        try await withShopAndChromium { shop, chromium in
            let observation = try await chromium.reset(startURL: shop + "/")
            let searchbox = await chromium.elementIDs(role: "searchbox", name: "Search entire store here")
            XCTAssertEqual(searchbox.count, 1)
            XCTAssertTrue(observation.text.contains("[\(searchbox[0])] searchbox 'Search entire store here'"), observation.text)
            let partial = await chromium.elementIDs(role: "searchbox", name: "search ENTIRE")
            XCTAssertEqual(partial, searchbox, "case-insensitive containment finds it too")
            // Without a role, the label and the field both match, as in the native browser.
            let anyRole = await chromium.elementIDs(role: nil, name: "Search entire store here")
            XCTAssertTrue(anyRole.contains(searchbox[0]))
            let native = BrowserSession()
            _ = try await native.reset(startURL: shop + "/")
            XCTAssertEqual(anyRole.count, native.elementIDs(role: nil, name: "Search entire store here").count)
            let currentURL = await chromium.currentURL
            XCTAssertEqual(currentURL, shop + "/")
            let missing = await chromium.elementIDs(role: "button", name: "Teleport")
            XCTAssertTrue(missing.isEmpty)
        }
    }

    func testTextAgreesWithTheNativeBrowserForTheTaskSetsLocators() async throws {
        try await withShopAndChromium { shop, chromium in
            let native = BrowserSession()
            let reads: [(path: String, locator: String)] = [
                ("/product/60", "p.price"),
                ("/product/165", "role=region name=Customer Reviews"),
                ("/product/165", "section h2"),
                ("/search?q=lamp", "main"),
                ("/", ""),
            ]
            for (path, locator) in reads {
                _ = try await native.reset(startURL: shop + path)
                _ = try await chromium.reset(startURL: shop + path)
                let nativeText = try native.text(TextLocator(locator))
                let chromiumText = try await chromium.text(TextLocator(locator))
                XCTAssertNotNil(chromiumText, "\(path) '\(locator)'")
                XCTAssertEqual(chromiumText.map(Self.withoutWhitespace), nativeText.map(Self.withoutWhitespace),
                               "\(path) '\(locator)':\nchromium: \(chromiumText ?? "nil")\nnative:   \(nativeText ?? "nil")")
            }
            _ = try await chromium.reset(startURL: shop + "/product/60")
            let price = try await chromium.text(TextLocator("p.price"))
            XCTAssertEqual(price?.hasPrefix("Price: $"), true, price ?? "nil")
        }
    }

    func testTextIsNilWhenNothingMatchesAndForInvalidSelectors() async throws {
        try await withShopAndChromium { shop, chromium in
            _ = try await chromium.reset(startURL: shop + "/product/60")
            let noElement = try await chromium.text(TextLocator("#no-such-element"))
            XCTAssertNil(noElement)
            let invalid = try await chromium.text(TextLocator("p["))
            XCTAssertNil(invalid, "an invalid selector matches nothing rather than failing the browser")
            let noNode = try await chromium.text(TextLocator("role=dialog name=Nothing like this"))
            XCTAssertNil(noNode)
            // A field reads as what was typed into it, which only the live page knows.
            let field = await chromium.elementIDs(role: "textbox", name: "Summary")
            XCTAssertEqual(field.count, 1)
            _ = try await chromium.step(.type(id: field[0], text: "Sturdy and quiet", pressEnter: false))
            let typed = try await chromium.text(TextLocator("input[name=title]"))
            XCTAssertEqual(typed, "Sturdy and quiet")
        }
    }

    func testRelativeGotoLandsWhereTheNativeBrowserDoes() async throws {
        try await withShopAndChromium { shop, chromium in
            let native = BrowserSession()
            for browser in [native, chromium] as [any ScriptableBrowser] {
                _ = try await browser.reset(startURL: shop + "/product/60")
                let landed = try await browser.step(.goto(url: "/search?q=lamp"))
                XCTAssertNil(landed.error)
                let url = await browser.currentURL
                XCTAssertEqual(url, shop + "/search?q=lamp", "\(type(of: browser))")
            }
        }
    }

    // MARK: -

    static func withoutWhitespace(_ text: String) -> String { text.filter { !$0.isWhitespace } }

    /// The shop on one instance and one Chromium environment, torn down after `body`.
    private func withShopAndChromium(_ body: (String, ChromiumEnvironment) async throws -> Void) async throws {
        try TestRequirements.chromium()
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-chromium-read-\(getpid())-\(UUID().uuidString)")
        let cluster = try await SiteCluster.start(sites: [.shop], dataDirectory: data, seed: TaskSet.seed)
        let browser: ChromiumBrowser
        do { browser = try await ChromiumBrowser.launch() } catch {
            await cluster.shutdown()
            throw error
        }
        let environment = browser.makeEnvironment()
        var failure: Error?
        do { try await body(await cluster.baseURL(.shop), environment) } catch { failure = error }
        await environment.close()
        browser.close()
        await cluster.shutdown()
        try? FileManager.default.removeItem(at: data)
        if let failure { throw failure }
    }
}
