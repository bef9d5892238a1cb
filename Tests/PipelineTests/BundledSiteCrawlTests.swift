import XCTest
import Environments
import GRDB
import LanguageModels
import WebBrowser
import WebSites
@testable import Pipeline
import TestSupport

/// A crawl of the bundled shop through the headless browser, with the model answering over HTTP
/// from the canned-response server (test double): real pages, deterministic model.
final class BundledSiteCrawlTests: XCTestCase {
    func testCrawlOfTheBundledShopThroughTheBrowserAndHTTPModel() async throws {
        let dir = try CrawlFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cluster = try await SiteCluster.start(sites: [.shop], instances: 1, dataDirectory: dir.appendingPathComponent("env"))
        let base = await cluster.baseURL(.shop, instance: 0)
        let pool = try await SiteClusterPool(cluster: cluster)
        let prompts = CrawlFixtures.prompts
        let canned = CannedChatModel(prompts: prompts)
        do {
            try await CannedModelHTTPServer.with(answering: canned) { baseURL in
                let model = try OpenAICompatibleChatModel(configuration: .init(baseURL: baseURL, model: "canned"))
                let store = try CrawlStore(path: dir.appendingPathComponent("crawl.sqlite").path)
                let config = CrawlFixtures.config { $0.maxActions = 8 }
                var crawler = Crawler(model: model, prompts: prompts, config: config, store: store, environments: pool,
                                      sites: ["shop"], episodes: 1)
                crawler.screenshots = StepScreenshots()
                let summary = try await crawler.run()
                XCTAssertEqual(summary.completed, 1, "\(summary)")
                XCTAssertEqual(summary.failed, 0, "\(summary.errors)")

                try await store.database.read { db in
                    let urls = try String.fetchAll(db, sql: "SELECT url FROM steps ORDER BY idx")
                    XCTAssertEqual(urls.count, 9, "8 actions and the terminal page")
                    XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM steps WHERE screenshot IS NOT NULL"), 0,
                                   "the native browser renders nothing, so its steps have no screenshot even when asked")
                    // Stored URLs are canonical (defect 2): the site's port-free name, never the loopback port.
                    XCTAssertTrue(urls.allSatisfy { $0.hasPrefix("http://shop.nnetnav/") && !$0.contains(base) }, "\(urls)")
                    XCTAssertGreaterThan(Set(urls).count, 2, "the walk visited several pages: \(urls)")
                    let descriptions = try String.fetchAll(db, sql: "SELECT action_description FROM steps WHERE action IS NOT NULL")
                    XCTAssertTrue(descriptions.allSatisfy { $0.contains(" where [") }, "\(descriptions)")
                    XCTAssertEqual(try String.fetchAll(db, sql: "SELECT decision FROM checkpoints ORDER BY depth").first, "accepted")
                }
                let demos = try store.demonstrations()
                XCTAssertGreaterThanOrEqual(demos.count, 1)
                for demo in demos {
                    for step in demo.steps { XCTAssertTrue(step.rationale.hasSuffix("```\(step.action)```")) }
                    for row in DatasetExporter(studentPrompt: StudentPrompt(template: prompts.studentPolicy)).rows(for: demo) {
                        ExportTests.validate(sft: try XCTUnwrap(row.row))
                    }
                }
            }
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
    }
}
