import XCTest
import GRDB
import LanguageModels
import WebBrowser
@testable import Pipeline
import TestSupport

/// Test double: the static shop whose page runs a task (as MiniWoB++ pages do) that ends, with a
/// reward, once the cart is reached.
final class CartTaskEnvironment: BrowserEnvironment, @unchecked Sendable {
    let site = StaticSiteEnvironment.shop()
    private let lock = NSLock()
    private var reachedCart = false

    func reset(startURL: String) async throws -> Observation {
        lock.withLock { reachedCart = false }
        return try await site.reset(startURL: startURL)
    }

    func step(_ action: BrowserAction) async throws -> Observation {
        let next = try await site.step(action)
        if next.url.hasSuffix("/cart") { lock.withLock { reachedCart = true } }
        return next
    }

    func describe(_ action: BrowserAction) -> String { site.describe(action) }
    func currentHTML() async -> String? { nil }
    var pageTaskResult: PageTaskResult? {
        lock.withLock { reachedCart ? PageTaskResult(reward: 0.75, reason: "reached the cart") : nil }
    }
}

/// Test double pool with one `CartTaskEnvironment`.
struct CartTaskPool: EnvironmentPool {
    let environment = CartTaskEnvironment()
    var instanceCount: Int { 1 }
    func environment(instance: Int) async throws -> any BrowserEnvironment { environment }
    func startURL(site: String, instance: Int, episode: Int) async throws -> String { environment.site.host + "/" }
    func resetSite(_ site: String, instance: Int) async throws {}
}

/// Episodes on pages with their own task (MiniWoB++), and per-site action limits, with the canned model.
final class PageTaskCrawlTests: XCTestCase {
    let prompts = CrawlFixtures.prompts

    /// The canned walk reaches the cart at its third action (/, electronics, camera, cart): the
    /// episode gets a last checkpoint there, ends, and the store keeps the task's reward.
    func testEpisodeEndsWhenThePageTaskEndsAndKeepsItsReward() async throws {
        let store = try CrawlStore()
        let crawler = Crawler(model: CannedChatModel(prompts: prompts), prompts: prompts, config: CrawlFixtures.config(),
                              store: store, environments: CartTaskPool(), sites: ["shop"], episodes: 1)
        let summary = try await crawler.run()
        XCTAssertEqual(summary.completed, 1, "\(summary)")

        try await store.database.read { db in
            let episode = try XCTUnwrap(Row.fetchOne(db, sql: "SELECT * FROM episodes WHERE idx = 0"))
            XCTAssertEqual(episode["stop_reason"] as String, "task_ended")
            XCTAssertEqual(episode["actions"] as Int, 3)
            XCTAssertEqual(episode["task_reward"] as Double?, 0.75)
            XCTAssertTrue((episode["stop_detail"] as String).contains("reached the cart"), episode["stop_detail"])
            let urls = try String.fetchAll(db, sql: "SELECT url FROM steps ORDER BY idx")
            XCTAssertEqual(urls.last, "http://shop.test/cart", "the terminal row is the page where the task ended")
            let checkpoints = try Row.fetchAll(db, sql: "SELECT depth, decision FROM checkpoints ORDER BY depth")
            XCTAssertEqual(checkpoints.map { $0["depth"] as Int }, [3], "labeled at the task's end, before the interval of 4")
            XCTAssertEqual(checkpoints.map { $0["decision"] as String }, ["accepted"])
        }
        XCTAssertEqual(try store.demonstrations().map(\.depth), [3])
    }

    func testEpisodesWithoutAPageTaskStoreNoReward() async throws {
        let store = try CrawlStore()
        let summary = try await CrawlFixtures.crawler(model: CannedChatModel(prompts: prompts), store: store,
                                                      pool: StaticSitePool(instances: 1), episodes: 1,
                                                      config: CrawlFixtures.config { $0.maxActions = 5 }).run()
        XCTAssertEqual(summary.completed, 1)
        let reward = try await store.database.read { db in try Row.fetchOne(db, sql: "SELECT task_reward FROM episodes")?["task_reward"] as Double? }
        XCTAssertNil(reward)
    }

    func testSiteLimitReplacesMaxActionsOnThatSiteOnly() async throws {
        let config = CrawlFixtures.config { $0.maxActions = 6; $0.siteMaxActions = ["shop": 2] }
        XCTAssertEqual(config.maxActions(on: "shop"), 2)
        XCTAssertEqual(config.maxActions(on: "forum"), 6)

        let store = try CrawlStore()
        _ = try await CrawlFixtures.crawler(model: CannedChatModel(prompts: prompts), store: store,
                                            pool: StaticSitePool(instances: 1), episodes: 1, config: config).run()
        let row = try store.database.read { db in try Row.fetchOne(db, sql: "SELECT actions, stop_reason FROM episodes") }
        XCTAssertEqual(row?["actions"] as Int?, 2)
        XCTAssertEqual(row?["stop_reason"] as String?, "max_actions")
    }

    /// Stores written before site limits existed hold configs without the key; they must still resume.
    func testConfigWithoutSiteLimitsEncodesAsBefore() throws {
        let json = String(decoding: try JSONEncoder().encode(ExplorationConfig()), as: UTF8.self)
        XCTAssertFalse(json.contains("siteMaxActions"), json)
        let decoded = try JSONDecoder().decode(ExplorationConfig.self, from: Data(#"{"siteMaxActions": {"miniwob/click-button": 5}}"#.utf8))
        XCTAssertEqual(decoded.maxActions(on: "miniwob/click-button"), 5)
        XCTAssertEqual(decoded.maxActions(on: "miniwob/login-user"), 40)
    }

    func testMiniWoBTasksShareTheMiniWoBPersonaFile() throws {
        let login = try prompts.personas(for: "miniwob/login-user")
        XCTAssertGreaterThanOrEqual(login.count, 5)
        XCTAssertEqual(try prompts.personas(for: "miniwob/click-button"), login)
        XCTAssertEqual(login, prompts.personas["miniwob"])
        XCTAssertTrue(login.allSatisfy { !$0.name.isEmpty && !$0.description.isEmpty && !$0.name.hasPrefix("#") }, "\(login)")
        XCTAssertNotEqual(try prompts.personas(for: "shop"), login)
        XCTAssertThrowsError(try prompts.personas(for: "elsewhere/login-user")) { error in
            XCTAssertTrue("\(error)".contains("prompts/personas/elsewhere.txt"), "\(error)")
        }
        let plans = try Crawler(model: CannedChatModel(prompts: prompts), prompts: prompts, config: CrawlFixtures.config(),
                                store: try CrawlStore(), environments: CartTaskPool(),
                                sites: ["miniwob/login-user", "miniwob/click-button"], episodes: 4).plans()
        XCTAssertEqual(plans.map(\.site), ["miniwob/login-user", "miniwob/click-button", "miniwob/login-user", "miniwob/click-button"])
        XCTAssertTrue(plans.allSatisfy { login.contains($0.persona) })
    }

    /// A page whose controls are all script-driven `generic` elements (MiniWoB++'s tic-tac-toe grid)
    /// offers the constrained policy nothing: the episode ends at once with that reason, without asking
    /// the model (it used to burn three "unparseable" answers that were never asked for).
    func testAPageWithoutCandidateActionsEndsTheEpisodeWithThatReason() async throws {
        let store = try CrawlStore()
        let model = CannedChatModel(prompts: prompts)
        let crawler = Crawler(model: model, prompts: prompts, config: CrawlFixtures.config { $0.freeFormPolicy = false },
                              store: store, environments: OneEnvironmentPool(environment: NoControlsEnvironment()),
                              sites: ["miniwob/tic-tac-toe"], episodes: 1)
        let summary = try await crawler.run()
        XCTAssertEqual(summary.completed, 1, "\(summary)")
        try await store.database.read { db in
            let episode = try XCTUnwrap(Row.fetchOne(db, sql: "SELECT * FROM episodes WHERE idx = 0"))
            XCTAssertEqual(episode["stop_reason"] as String, "no_actions")
            XCTAssertEqual(episode["actions"] as Int, 0)
            XCTAssertTrue((episode["stop_detail"] as String).contains("no candidate action"), episode["stop_detail"])
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM model_calls WHERE module LIKE 'policy%'"), 0,
                           "nothing to choose from, so the policy is never asked")
        }
    }
}

/// Test double: one page whose only controls are unnamed `generic` cells, nothing to scroll.
final class NoControlsEnvironment: BrowserEnvironment, @unchecked Sendable {
    let page = Observation(text: "[1] RootWebArea 'Tic-Tac-Toe Task'\n\t[2] StaticText 'Playing as X, win a game.'\n\t[3] generic ''\n\t[4] generic ''",
                           url: "http://miniwob.test/tic-tac-toe.html", title: "Tic-Tac-Toe Task",
                           tabs: [.init(title: "Tic-Tac-Toe Task", url: "http://miniwob.test/tic-tac-toe.html")], activeTab: 0)
    func reset(startURL: String) async throws -> Observation { page }
    func step(_ action: BrowserAction) async throws -> Observation { page }
    func describe(_ action: BrowserAction) -> String { action.description }
    func currentHTML() async -> String? { nil }
    var pageTaskResult: PageTaskResult? { nil }
}

/// Test double pool over one environment.
struct OneEnvironmentPool: EnvironmentPool {
    let environment: any BrowserEnvironment
    var instanceCount: Int { 1 }
    func environment(instance: Int) async throws -> any BrowserEnvironment { environment }
    func startURL(site: String, instance: Int, episode: Int) async throws -> String { "http://miniwob.test/" }
    func resetSite(_ site: String, instance: Int) async throws {}
}
