import TestSupport
import Foundation
import LanguageModels
import XCTest
@testable import Pipeline

/// Ctrl-C (the explore command cancels the crawl task) stops a crawl within seconds even while a
/// model call hangs with a 120 s timeout (issue 14 item 7).
final class CrawlCancellationTests: XCTestCase {
    func testCancellingACrawlWithAHungModelCallEndsItPromptly() async throws {
        let server = try SilentServer()
        let model = try OpenAICompatibleChatModel(
            configuration: .init(baseURL: "http://127.0.0.1:\(server.port)/v1", model: "hung", timeout: 120), environment: [:])
        let store = try CrawlStore()
        let crawler = CrawlFixtures.crawler(model: model, store: store, pool: StaticSitePool(instances: 1), episodes: 2)
        let crawl = Task { try await crawler.run() }
        try await Task.sleep(nanoseconds: 800_000_000)
        let cancelled = Date()
        crawl.cancel()
        _ = await crawl.result
        XCTAssertLessThan(Date().timeIntervalSince(cancelled), 5, "the crawl ends within seconds, not at the model timeout")
    }
}
