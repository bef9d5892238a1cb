import XCTest
@testable import Pipeline
import TestSupport

final class CrawlStatsTests: XCTestCase {
    func testStatsOfACannedCrawl() async throws {
        let store = try CrawlStore()
        let model = CannedChatModel(prompts: CrawlFixtures.prompts)
        _ = try await CrawlFixtures.crawler(model: model, store: store, pool: StaticSitePool(instances: 1), episodes: 2).run()
        let stats = try CrawlStats(store: store)
        XCTAssertEqual(stats.episodesByStatus, ["completed": 2])
        XCTAssertEqual(stats.stopReasons, ["pruned": 2])
        XCTAssertEqual(stats.pruneRate, 1)
        XCTAssertEqual(stats.pruneDepths, [12: 2])
        XCTAssertEqual(stats.actions, 24)
        XCTAssertEqual(stats.checkpoints, 6)
        XCTAssertEqual(stats.checkpointDecisions, ["accepted": 4, "low_score": 2])
        XCTAssertEqual(stats.demonstrations, 2)
        XCTAssertEqual(stats.demonstrationSteps, 5 + 9)
        XCTAssertEqual(stats.instructionWords?.min, 9)
        XCTAssertEqual(stats.sites.count, 1)
        XCTAssertEqual(stats.sites[0].episodes, 2)
        // The walk visits /, /electronics, /p/camera, /cart and /kitchen.
        XCTAssertEqual(stats.sites[0].distinctPaths, 5)
        XCTAssertEqual(stats.modules.first { $0.module == "judge" }?.calls, 6)
        XCTAssertEqual(stats.modules.map(\.calls).reduce(0, +), model.totalCalls)
        XCTAssertTrue(stats.report.contains("Prune rate: 100.0%"))
        XCTAssertEqual(stats.callsPerDemonstration, Double(model.totalCalls) / 2)
        XCTAssertTrue(stats.report.contains(String(format: "Cost per accepted demonstration: %.1f calls", Double(model.totalCalls) / 2)))
    }

    func testCostPerDemonstrationWhenNoneWasAccepted() throws {
        let stats = try CrawlStats(store: try CrawlStore())
        XCTAssertNil(stats.callsPerDemonstration)
        XCTAssertNil(stats.tokensPerDemonstration)
        XCTAssertTrue(stats.report.contains("Cost per accepted demonstration: none accepted (0 calls, 0 tokens spent)"))
    }
}
