import XCTest
import GRDB
import LanguageModels
@testable import Pipeline
import TestSupport

/// A crawl through the real OpenAI-compatible HTTP client, against a canned-response model server
/// (test double), behaves exactly like the in-process canned crawl: the remote path generates and
/// parses the judge's "Reward:" line, as NNetnav did.
final class RemoteModelCrawlTests: XCTestCase {
    func testCrawlThroughHTTPClientAndResponseCache() async throws {
        let prompts = CrawlFixtures.prompts
        let canned = CannedChatModel(prompts: prompts)
        let dir = try CrawlFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try await CannedModelHTTPServer.with(answering: canned) { baseURL in
            let client = try OpenAICompatibleChatModel(configuration: .init(baseURL: baseURL, model: "canned"))
            let cache = try ResponseCache(path: dir.appendingPathComponent("responses.sqlite").path)
            let model = CachedChatModel(wrapping: client, cache: cache)

            let store = try CrawlStore(path: dir.appendingPathComponent("crawl.sqlite").path)
            let summary = try await CrawlFixtures.crawler(model: model, store: store, pool: StaticSitePool(instances: 1),
                                                          episodes: 1).run()
            XCTAssertEqual(summary.completed, 1)
            XCTAssertEqual(summary.demonstrations, 2)
            XCTAssertEqual(summary.calls, 44)
            XCTAssertEqual(canned.totalCalls, 44)
            let demos = try store.demonstrations()
            XCTAssertEqual(demos.map(\.instruction), ["Open the One Stop Market page after visiting 4 pages",
                                                      "Open the Camera $249.00 page after visiting 8 pages"])
            try await store.database.read { db in
                XCTAssertEqual(try String.fetchAll(db, sql: "SELECT decision FROM checkpoints ORDER BY depth"),
                               ["accepted", "accepted", "low_score"])
            }

            // The same crawl into a new store replays every call from the response cache.
            let replay = try CrawlStore(path: dir.appendingPathComponent("replay.sqlite").path)
            let again = try await CrawlFixtures.crawler(model: CachedChatModel(wrapping: client, cache: cache, mode: .replay),
                                                        store: replay, pool: StaticSitePool(instances: 1), episodes: 1).run()
            XCTAssertEqual(again.cachedCalls, 44)
            XCTAssertEqual(canned.totalCalls, 44, "no request reached the server")
            XCTAssertEqual(try CrawlFixtures.dump(replay).filter { !$0.hasPrefix("call") },
                           try CrawlFixtures.dump(store).filter { !$0.hasPrefix("call") })
        }
    }
}
