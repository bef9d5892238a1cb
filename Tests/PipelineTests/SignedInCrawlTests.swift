import Environments
import XCTest
import TestSupport
import ChromiumBrowser
import Evaluation
import GRDB
import LanguageModels
import WebBrowser
import WebSites
@testable import Pipeline

/// Crawls of the real bundled sites through the native browser with the canned test-double model:
/// exploration signs in (defect 1) and only canonical, port-free URLs reach prompts, store and
/// export (defect 2).
final class SignedInCrawlTests: XCTestCase {
    let prompts = CrawlFixtures.prompts

    struct CrawlResult {
        var store: CrawlStore
        var requests: [ChatRequest]
        var exportDirectory: URL
    }

    /// One episode per site over `sites`, 4 actions each, exported.
    func crawl(sites: [SiteName], in dir: URL, name: String, backend: BrowserBackend = .native) async throws -> CrawlResult {
        let cluster = try await SiteCluster.start(sites: sites, instances: 1,
                                                  dataDirectory: dir.appendingPathComponent("env-\(name)"))
        do {
            let pool = try await SiteClusterPool(cluster: cluster, backend: backend)
            defer { pool.shutdown() }
            let model = CannedChatModel(prompts: prompts)
            let store = try CrawlStore(path: dir.appendingPathComponent("\(name).sqlite").path)
            let config = CrawlFixtures.config { $0.maxActions = 4 }
            let crawler = Crawler(model: model, prompts: prompts, config: config, store: store, environments: pool,
                                  sites: sites.map(\.rawValue), episodes: sites.count)
            let summary = try await crawler.run()
            XCTAssertEqual(summary.completed, sites.count, "\(summary)")
            XCTAssertEqual(summary.failed, 0, "\(summary.errors)")
            let out = dir.appendingPathComponent("export-\(name)")
            _ = try DatasetExporter(studentPrompt: StudentPrompt(template: prompts.studentPolicy))
                .export(try store.demonstrations(), to: out)
            await cluster.shutdown()
            return CrawlResult(store: store, requests: model.requests, exportDirectory: out)
        } catch {
            await cluster.shutdown()
            throw error
        }
    }

    func testExplorationOfAllFiveSitesIsSignedInAndReachesTheAdminBehindItsLogin() async throws {
        let dir = try CrawlFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try await crawl(sites: SiteName.allCases, in: dir, name: "five")
        let demos = try result.store.demonstrations()
        XCTAssertEqual(Set(demos.map(\.site)), Set(SiteName.allCases.map(\.rawValue)), "a demonstration on every site")

        try await result.store.database.read { db in
            let accounts = try Row.fetchAll(db, sql: "SELECT site, account FROM episodes ORDER BY idx")
            let bySite = Dictionary(uniqueKeysWithValues: accounts.map { ($0["site"] as String, $0["account"] as String?) })
            XCTAssertEqual(bySite["admin"], "admin")
            XCTAssertEqual(bySite["forum"], "river_otter")
            XCTAssertEqual(bySite["code"], "arivera")
            XCTAssertNotNil(bySite["shop"] ?? nil)
            XCTAssertEqual(bySite["wiki"], .some(nil), "the wiki has no accounts")

            let adminURLs = try String.fetchAll(db, sql: """
                SELECT s.url FROM steps s JOIN episodes e ON e.idx = s.episode WHERE e.site = 'admin' ORDER BY s.idx
                """)
            XCTAssertEqual(adminURLs.count, 5)
            XCTAssertTrue(adminURLs.allSatisfy { $0.hasPrefix("http://admin.nnetnav/") }, "\(adminURLs)")
            XCTAssertFalse(adminURLs.contains { $0.contains("/login") }, "every admin step is behind the login: \(adminURLs)")
        }
        let adminDemo = try XCTUnwrap(demos.first { $0.site == "admin" })
        XCTAssertFalse(adminDemo.steps.contains { $0.observation.contains("Sign in") && $0.url.contains("login") })
        XCTAssertTrue(adminDemo.steps.allSatisfy { !$0.url.contains("/login") })
    }

    /// The Chromium backend signs in the same way (its own browser context per instance).
    func testChromiumExplorationIsSignedInToo() async throws {
        guard ChromiumBrowser.isInstalled else { throw XCTSkip("Chromium is not installed (scripts/prerequisites.sh installs it)") }
        let dir = try CrawlFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try await crawl(sites: [.admin], in: dir, name: "chromium", backend: .chromium)
        try await result.store.database.read { db in
            XCTAssertEqual(try String.fetchOne(db, sql: "SELECT account FROM episodes"), "admin")
            let urls = try String.fetchAll(db, sql: "SELECT url FROM steps ORDER BY idx")
            XCTAssertEqual(urls.count, 5)
            XCTAssertTrue(urls.allSatisfy { $0.hasPrefix("http://admin.nnetnav/") && !$0.contains("/login") }, "\(urls)")
        }
    }

    /// The same crawl on other ports sends byte-identical prompts and exports identical files.
    func testACrawlRestartedOnOtherPortsSendsTheSamePromptsAndExportsTheSameRows() async throws {
        let dir = try CrawlFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try await crawl(sites: [.shop, .code], in: dir, name: "first")
        let second = try await crawl(sites: [.shop, .code], in: dir, name: "second")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let a = try first.requests.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        let b = try second.requests.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        XCTAssertGreaterThan(a.count, 20)
        XCTAssertEqual(a, b)
        XCTAssertFalse(a.contains { $0.contains("127.0.0.1") }, "no loopback port in any prompt")
        XCTAssertTrue(a.contains { $0.contains("shop.nnetnav") })
        for file in ["sft_train.jsonl", "sft_validation.jsonl", "trajectories_train.jsonl", "trajectories_validation.jsonl"] {
            let x = try Data(contentsOf: first.exportDirectory.appendingPathComponent(file))
            let y = try Data(contentsOf: second.exportDirectory.appendingPathComponent(file))
            XCTAssertEqual(x, y, file)
            XCTAssertFalse(String(decoding: x, as: UTF8.self).contains("127.0.0.1"), file)
        }
        let dumpA = try CrawlFixtures.dump(first.store), dumpB = try CrawlFixtures.dump(second.store)
        XCTAssertEqual(dumpA, dumpB)
        XCTAssertFalse(dumpA.contains { $0.contains("127.0.0.1") })
    }

    func testCanonicalURLsMapBackForGoto() {
        let map = SiteURLMap(localBases: ["shop": "http://127.0.0.1:5123", "admin": "http://127.0.0.1:51234"])
        XCTAssertEqual(map.canonical("go http://127.0.0.1:51234/orders and http://127.0.0.1:5123/cart"),
                       "go http://admin.nnetnav/orders and http://shop.nnetnav/cart")
        XCTAssertEqual(map.local(BrowserAction.goto(url: "http://admin.nnetnav/orders?page=2")),
                       .goto(url: "http://127.0.0.1:51234/orders?page=2"))
        XCTAssertEqual(map.local(BrowserAction.click(id: 3)), .click(id: 3))
        XCTAssertEqual(map.canonical("http://127.0.0.1:512345/x"), "http://127.0.0.1:512345/x", "another port is left alone")
    }
}
