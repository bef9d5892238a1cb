import XCTest
import Environments
import GRDB
import LlamaModel
import NNetnavSupport
import WebBrowser
import WebSites
@testable import Pipeline
import TestSupport

/// The default path end to end: the embedded SmolLM2-135M drives a crawl of the bundled shop through
/// the browser, one 2-action episode labeled at depth 2. It needs the model file (installed by
/// scripts/prerequisites.sh) and takes a minute or more on 2 cores; NNETNAV_SKIP_EMBEDDED_TESTS=1 skips it.
final class EmbeddedModelCrawlTests: XCTestCase {
    func testEmbeddedModelCrawlsTheBundledShop() async throws {
        _ = try TestRequirements.embeddedModel()
        let model = try LocalChatModel.embeddedDefault()
        let dir = try CrawlFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cluster = try await SiteCluster.start(sites: [.shop], instances: 1, dataDirectory: dir.appendingPathComponent("env"))
        let base = await cluster.baseURL(.shop, instance: 0)
        let pool = try await SiteClusterPool(cluster: cluster)
        var config = ExplorationConfig().adaptedForSmallLocalModel()
        config.maxActions = 2
        config.labelInterval = 2
        config.maxObservationTokens = 300
        config.policyMaxTokens = 48
        config.rationaleAttempts = 1
        let store = try CrawlStore(path: dir.appendingPathComponent("crawl.sqlite").path)
        let crawler = Crawler(model: model, prompts: CrawlFixtures.prompts, config: config, store: store,
                              environments: pool, sites: ["shop"], episodes: 1)
        let summary: Crawler.Summary
        do { summary = try await crawler.run() } catch { await cluster.shutdown(); throw error }
        await cluster.shutdown()

        XCTAssertEqual(summary.completed, 1, "\(summary)")
        try await store.database.read { db in
            let actions = try String.fetchAll(db, sql: "SELECT action FROM steps WHERE action IS NOT NULL ORDER BY idx")
            // Every executed action is valid: parsed from the model or chosen among the page's candidates.
            for action in actions { XCTAssertTrue(ActionParser.parse(action: action).isValid, action) }
            XCTAssertTrue(try String.fetchAll(db, sql: "SELECT url FROM steps").allSatisfy { $0.hasPrefix("http://shop.nnetnav/") && !$0.contains(base) },
                          "stored URLs are canonical")
            // The judge answered by scoring the five choices: either a 1-5 score or a recorded label failure.
            for row in try Row.fetchAll(db, sql: "SELECT * FROM checkpoints") {
                let decision: String = row["decision"]
                if let score = row["score"] as Double? { XCTAssertTrue((1...5).contains(score)) }
                XCTAssertNotEqual(decision, "judge_unparseable", "choice scoring always yields a score")
            }
        }
        try await store.database.read { db in
            // The small-model adaptation labels with grounded instructions: each change is read from the pages.
            for raw in try String?.fetchAll(db, sql: "SELECT state_change_raw FROM steps WHERE action IS NOT NULL") {
                XCTAssertEqual(raw, ObservedChange.rawMarker)
            }
            // A labeled checkpoint records what the teacher chose among.
            for raw in try String.fetchAll(db, sql: "SELECT raw_label FROM checkpoints WHERE instruction IS NOT NULL") {
                XCTAssertTrue(raw.hasPrefix("Instruction: ") && raw.contains("Chosen among"), raw)
            }
        }
        for demo in try store.demonstrations() {
            // The label is one of the prefix's hindsight instructions, and its stop answer was read from the final page.
            let pages = demo.steps.map { GroundedInstructions.Page(url: $0.url, observation: $0.observation, action: $0.action) }
                + [GroundedInstructions.Page(url: demo.finalURL, observation: demo.finalObservation, action: nil)]
            let grounded = GroundedInstructions.candidate(for: demo.instruction, in: pages)
            XCTAssertNotNil(grounded, demo.instruction)
            XCTAssertEqual(demo.stopAction, BrowserAction.stop(answer: grounded?.answer ?? "?").description)
            for step in demo.steps {
                // A failed action (the small model may type into a field that does not take text) is
                // never a target: it has no rationale.
                if step.failed { XCTAssertEqual(step.rationale, ""); continue }
                XCTAssertTrue(step.rationale.hasSuffix("```\(step.action)```"), step.rationale)
            }
        }
        print("embedded crawl: \(summary)")
    }
}
