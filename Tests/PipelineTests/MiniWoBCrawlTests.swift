import XCTest
import ChromiumBrowser
import Environments
import GRDB
@testable import Pipeline
import TestSupport

/// A crawl of real MiniWoB++ task pages in headless Chromium through `MiniWoBPool`, with the
/// canned model (test double) clicking the page's first button: real pages, deterministic model.
final class MiniWoBCrawlTests: XCTestCase {
    func testCrawlOfMiniWoBTasksEndsEachEpisodeWhenTheTaskEnds() async throws {
        try TestRequirements.chromium()
        let pages: MiniWoBPages
        pages = try TestRequirements.miniWoBPages()
        let taskSet = try MiniWoBTaskSet.load()
        let pool = try await MiniWoBPool.launch(pages: pages, instances: 1, firstSeed: taskSet.explorationFirstSeed)
        defer { pool.shutdown() }

        let prompts = CrawlFixtures.prompts
        let store = try CrawlStore()
        let sites = ["miniwob/click-button", "miniwob/login-user"]
        var crawler = Crawler(model: CannedChatModel(prompts: prompts), prompts: prompts,
                              config: CrawlFixtures.config { $0.maxActions = 3 }, store: store, environments: pool,
                              sites: sites, episodes: 2)
        crawler.screenshots = StepScreenshots()
        let summary = try await crawler.run()
        XCTAssertEqual(summary.completed, 2, "\(summary)")
        XCTAssertEqual(summary.failed, 0, "\(summary.errors)")

        let first = taskSet.explorationFirstSeed
        try await store.database.read { db in
            let episodes = try Row.fetchAll(db, sql: "SELECT * FROM episodes ORDER BY idx")
            XCTAssertEqual(episodes.map { $0["site"] as String }, sites)
            XCTAssertEqual(episodes.map { $0["start_url"] as String },
                           ["miniwob://click-button?seed=\(first)", "miniwob://login-user?seed=\(first + 1)"])
            let personas = try prompts.personas(for: "miniwob/login-user").map(\.text)
            for episode in episodes {
                XCTAssertTrue(personas.contains(episode["persona"] as String))
                // Clicking any button (click-button) or Login with empty fields (login-user) ends the task.
                XCTAssertEqual(episode["stop_reason"] as String, "task_ended", episode["stop_detail"])
                XCTAssertEqual(episode["actions"] as Int, 1)
                let reward = try XCTUnwrap(episode["task_reward"] as Double?, "the task's reward is stored")
                XCTAssertTrue((-1...1).contains(reward), "\(reward)")
                XCTAssertFalse((episode["stop_detail"] as String).contains("undefined"), "a task without a reason gives none")
            }

            let steps = try Row.fetchAll(db, sql: "SELECT * FROM steps ORDER BY episode, idx")
            XCTAssertEqual(steps.count, 4, "one action and the terminal page per episode")
            // Chromium renders, so every step (the terminal page too) has its page as a bounded JPEG.
            for step in steps {
                let shot = try XCTUnwrap(step["screenshot"] as Data?, "step \(step["episode"] as Int):\(step["idx"] as Int)")
                XCTAssertEqual(Array(shot.prefix(3)), [0xFF, 0xD8, 0xFF], "a JPEG")
                XCTAssertGreaterThan(shot.count, 1_000)
                XCTAssertLessThanOrEqual(shot.count, StepScreenshots().maxBytes)
            }
            for (step, task, seed) in [(steps[0], "click-button", 1000), (steps[2], "login-user", 1001)] {
                let url: String = step["url"]
                XCTAssertEqual(url, "miniwob://\(task)?seed=\(seed)", "stored URLs name the episode, not a local path")
                let description: String = step["action_description"]
                XCTAssertTrue(description.contains(" where [") && description.contains("button"), description)
            }
            // The task's instruction is part of the page the explorer sees, not an objective it is given.
            let clickPage: String = steps[0]["observation"]
            XCTAssertTrue(clickPage.contains("Click on the"), clickPage)
            let loginPage: String = steps[2]["observation"]
            XCTAssertTrue(loginPage.contains("textbox") && loginPage.contains("button 'Login'"), loginPage)
            let policyCalls = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM model_calls WHERE module = 'policy'")
            XCTAssertEqual(policyCalls, 2, "no policy call after the task ended")

            let checkpoints = try Row.fetchAll(db, sql: "SELECT episode, depth, decision FROM checkpoints ORDER BY episode")
            XCTAssertEqual(checkpoints.map { $0["depth"] as Int }, [1, 1], "each finished task is labeled once")
        }
        let demos = try store.demonstrations()
        XCTAssertGreaterThanOrEqual(demos.count, 1)
        XCTAssertTrue(demos.allSatisfy { $0.depth == 1 && $0.steps.count == 1 }, "\(demos.map(\.depth))")
    }
}
