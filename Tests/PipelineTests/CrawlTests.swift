import XCTest
import GRDB
import LanguageModels
import WebBrowser
@testable import Pipeline
import TestSupport

/// Full crawls on the static test site with the canned model (test doubles), asserting store contents.
final class CrawlTests: XCTestCase {
    let prompts = CrawlFixtures.prompts

    /// The canned policy's walk on the shop site: labeled at 4 and 8 (score 5), pruned at 12 (score 2).
    func testFullCrawlStoresEpisodesCheckpointsCallsAndDeduplicatedDemonstrations() async throws {
        let model = CannedChatModel(prompts: prompts)
        let store = try CrawlStore()
        let pool = StaticSitePool(instances: 2)
        let summary = try await CrawlFixtures.crawler(model: model, store: store, pool: pool, episodes: 2).run()

        XCTAssertEqual(summary.completed, 2)
        XCTAssertEqual(summary.failed, 0)
        XCTAssertEqual(summary.pruned, 2)
        XCTAssertEqual(summary.demonstrations, 2, "the second episode's identical instructions are duplicates")
        XCTAssertEqual(Set(pool.siteResets), ["shop#0", "shop#1"])

        try await store.database.read { db in
            let episodes = try Row.fetchAll(db, sql: "SELECT * FROM episodes ORDER BY idx")
            XCTAssertEqual(episodes.map { $0["status"] as String }, ["completed", "completed"])
            XCTAssertEqual(episodes.map { $0["stop_reason"] as String }, ["pruned", "pruned"])
            XCTAssertEqual(episodes.map { $0["actions"] as Int }, [12, 12])
            // 12 executed steps plus the terminal observation per episode.
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM steps"), 26)
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM steps WHERE action IS NULL"), 2)
            let walk = try String.fetchAll(db, sql: "SELECT url FROM steps WHERE episode = 0 ORDER BY idx")
            XCTAssertEqual(Array(walk.prefix(5)), ["http://shop.test/", "http://shop.test/electronics", "http://shop.test/p/camera",
                                                   "http://shop.test/cart", "http://shop.test/"])
            let firstStep = try Row.fetchOne(db, sql: "SELECT * FROM steps WHERE episode = 0 AND idx = 0")!
            XCTAssertEqual(firstStep["action"] as String, "click [10]")
            XCTAssertEqual(firstStep["action_description"] as String, "click [10] where [10] is link 'Electronics'")
            XCTAssertEqual(firstStep["state_change"] as String, "The page changed to \"Electronics\" (checked at 10:30).")

            let checkpoints = try Row.fetchAll(db, sql: "SELECT * FROM checkpoints WHERE episode = 0 ORDER BY depth")
            XCTAssertEqual(checkpoints.map { $0["depth"] as Int }, [4, 8, 12])
            XCTAssertEqual(checkpoints.map { $0["decision"] as String }, ["accepted", "accepted", "low_score"])
            XCTAssertEqual(checkpoints.map { $0["score"] as Double? }, [5, 5, 2])
            XCTAssertEqual(checkpoints[0]["instruction"] as String, "Open the One Stop Market page after visiting 4 pages")
            XCTAssertEqual(checkpoints[2]["raw_judge"] as String, "Thought: looping.\nReward: 2")
            let notes = try String.fetchAll(db, sql: "SELECT demonstration_note FROM checkpoints WHERE decision = 'accepted' ORDER BY episode, depth")
            XCTAssertEqual(notes.filter { $0 == "kept" }.count, 2)
            XCTAssertEqual(notes.filter { $0 == "exact duplicate" }.count, 2)

            // policy 12 + summaries 12 + labels 3 + judges 3 per episode; rationales 4 + 8 and 2 stop calls once.
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM model_calls"), 30 * 2 + 12 + 2)
            let judgeCalls = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM model_calls WHERE module = 'judge'")
            XCTAssertEqual(judgeCalls, 6)
        }

        let demos = try store.demonstrations()
        XCTAssertEqual(demos.map(\.depth), [4, 8])
        XCTAssertEqual(demos[0].instruction, "Open the One Stop Market page after visiting 4 pages")
        XCTAssertEqual(demos[0].steps.map(\.action), ["click [10]", "click [11]", "click [10]", "click [11]"])
        for demo in demos {
            for step in demo.steps {
                XCTAssertTrue(step.rationale.hasSuffix("```\(step.action)```"), step.rationale)
                XCTAssertFalse(step.templateRationale)
            }
        }
        XCTAssertEqual(demos[0].stopAction, "stop [One Stop Market]")
        XCTAssertEqual(demos[1].stopAction, "stop [Camera $249.00]")
        XCTAssertEqual(demos[1].finalURL, "http://shop.test/p/camera")
    }

    func testRationalizerRegeneratesWhenTheActionDiffers() async throws {
        let model = CannedChatModel(prompts: prompts, wrongFirstRationale: { $0 == "click [10]" })
        let store = try CrawlStore()
        _ = try await CrawlFixtures.crawler(model: model, store: store, pool: StaticSitePool(instances: 1), episodes: 1).run()
        let demos = try store.demonstrations()
        XCTAssertEqual(demos.count, 2)
        for step in demos.flatMap(\.steps) { XCTAssertTrue(step.rationale.hasSuffix("```\(step.action)```")) }
        // Steps acting with click [10]: 2 in the depth-4 demo, 3 in the depth-8 one; each costs one rejected answer.
        let clickTen = demos.flatMap(\.steps).filter { $0.action == "click [10]" }.count
        XCTAssertEqual(model.callCounts["rationale"], 12 + clickTen)
    }

    func testRationalizerFallsBackToTemplateEndingInTheExecutedAction() async throws {
        let model = CannedChatModel(prompts: prompts, wrongFirstRationale: { _ in true })
        var config = CrawlFixtures.config()
        config.rationaleAttempts = 1
        let modules = NNetnavModules(model: model, prompts: prompts, config: config) { _ in }
        let result = try await modules.rationalize(instruction: "Buy a kettle", url: "http://shop.test/", observation: "[1] x",
                                                   previousActions: "1: None", action: .click(id: 11), step: 0, seed: 1)
        XCTAssertTrue(result.usedTemplate)
        XCTAssertEqual(result.rejections.count, 1)
        XCTAssertTrue(result.text.hasSuffix("```click [11]```"))
        XCTAssertEqual(ActionParser.parse(response: result.text), .click(id: 11))
    }

    func testUnparseablePolicyIsAskedAgainWithCandidateActions() async throws {
        let model = CannedChatModel(prompts: prompts, unparseablePolicy: { $0 == 1 })
        let store = try CrawlStore()
        _ = try await CrawlFixtures.crawler(model: model, store: store, pool: StaticSitePool(instances: 1), episodes: 1).run()
        try await store.database.read { db in
            let constrained = try Row.fetchAll(db, sql: "SELECT idx, action, raw_output FROM steps WHERE constrained = 1")
            XCTAssertEqual(constrained.count, 1)
            XCTAssertEqual(constrained[0]["idx"] as Int, 1)
            // The first candidate on the Electronics page.
            XCTAssertEqual(constrained[0]["action"] as String, "click [10]")
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM model_calls WHERE module = 'policy_choice'"), 1)
        }
    }

    func testWithoutFreeFormAnswersEveryActionIsChosenAmongCandidates() async throws {
        let model = CannedChatModel(prompts: prompts)
        let store = try CrawlStore()
        let config = CrawlFixtures.config { $0.freeFormPolicy = false }
        _ = try await CrawlFixtures.crawler(model: model, store: store, pool: StaticSitePool(instances: 1),
                                            episodes: 1, config: config).run()
        XCTAssertNil(model.callCounts["policy"], "the free-form policy is never asked")
        try await store.database.read { db in
            let executed = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM steps WHERE action IS NOT NULL") ?? 0
            XCTAssertGreaterThan(executed, 0)
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM steps WHERE action IS NOT NULL AND constrained = 0"), 0)
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM model_calls WHERE module = 'policy_choice'"), executed)
        }
    }

    func testThreeUnparseableActionsStopTheEpisode() async throws {
        let model = CannedChatModel(prompts: prompts, unparseablePolicy: { _ in true })
        let store = try CrawlStore()
        let config = CrawlFixtures.config { $0.constrainedFallback = false }
        let summary = try await CrawlFixtures.crawler(model: model, store: store, pool: StaticSitePool(instances: 1),
                                                      episodes: 1, config: config).run()
        XCTAssertEqual(summary.completed, 1)
        XCTAssertEqual(model.callCounts["policy"], 3)
        try await store.database.read { db in
            XCTAssertEqual(try String.fetchOne(db, sql: "SELECT stop_reason FROM episodes"), "parse_failures")
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM steps"), 1, "only the terminal observation")
            // Every unparseable answer is kept in model_calls.
            XCTAssertEqual(try String.fetchAll(db, sql: "SELECT response FROM model_calls WHERE module = 'policy'"),
                           Array(repeating: "I am not sure what to do here.", count: 3))
        }
    }

    func testJudgeParseFailureIsRecordedWithRawText() async throws {
        let model = CannedChatModel(prompts: prompts, judge: { _, _ in "The agent did a fine job." })
        let store = try CrawlStore()
        _ = try await CrawlFixtures.crawler(model: model, store: store, pool: StaticSitePool(instances: 1), episodes: 1).run()
        try await store.database.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT * FROM checkpoints")!
            XCTAssertEqual(row["decision"] as String, "judge_unparseable")
            XCTAssertEqual(row["raw_judge"] as String, "The agent did a fine job.")
            XCTAssertNil(row["score"] as Double?)
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM demonstrations"), 0)
        }
    }

    func testShardsSplitEpisodesDeterministically() throws {
        let store = try CrawlStore()
        let model = CannedChatModel(prompts: prompts)
        let pool = StaticSitePool(instances: 1)
        let a = try CrawlFixtures.crawler(model: model, store: store, pool: pool, episodes: 7, shard: try Shard(parsing: "0/3")).plans()
        let b = try CrawlFixtures.crawler(model: model, store: store, pool: pool, episodes: 7, shard: try Shard(parsing: "1/3")).plans()
        let c = try CrawlFixtures.crawler(model: model, store: store, pool: pool, episodes: 7, shard: try Shard(parsing: "2/3")).plans()
        XCTAssertEqual(a.map(\.index), [0, 3, 6])
        XCTAssertEqual(b.map(\.index), [1, 4])
        XCTAssertEqual(c.map(\.index), [2, 5])
        let whole = try CrawlFixtures.crawler(model: model, store: store, pool: pool, episodes: 7).plans()
        XCTAssertEqual((a + b + c).sorted { $0.index < $1.index }, whole)
        XCTAssertThrowsError(try Shard(parsing: "3/3"))
        XCTAssertThrowsError(try Shard(parsing: "x"))
    }

    /// A crawl killed mid-episode resumes: completed episodes are not redone, and the final store
    /// equals an uninterrupted crawl's.
    func testResumeAfterInterruptionMatchesUninterruptedCrawl() async throws {
        let dir = try CrawlFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }

        let reference = try CrawlStore(path: dir.appendingPathComponent("reference.sqlite").path)
        _ = try await CrawlFixtures.crawler(model: CannedChatModel(prompts: prompts), store: reference,
                                            pool: StaticSitePool(instances: 1), episodes: 3).run()

        let path = dir.appendingPathComponent("resumed.sqlite").path
        do {
            let dying = CannedChatModel(prompts: prompts)
            dying.failAfter = 50   // episode 0 takes 44 calls; the kill lands inside episode 1
            let store = try CrawlStore(path: path)
            do {
                _ = try await CrawlFixtures.crawler(model: dying, store: store, pool: StaticSitePool(instances: 1), episodes: 3).run()
                XCTFail("the interrupted crawl finished")
            } catch is CancellationError {}
            XCTAssertEqual(try store.completedEpisodes(), [0])
            let running = try await store.database.read { db in try String.fetchAll(db, sql: "SELECT status FROM episodes WHERE idx = 1") }
            XCTAssertEqual(running, ["running"])
        }

        let resumedModel = CannedChatModel(prompts: prompts)
        let resumedPool = StaticSitePool(instances: 1)
        let store = try CrawlStore(path: path)
        let summary = try await CrawlFixtures.crawler(model: resumedModel, store: store, pool: resumedPool, episodes: 3).run()
        XCTAssertEqual(summary.alreadyDone, 1)
        XCTAssertEqual(summary.completed, 2)
        XCTAssertEqual(resumedModel.totalCalls, 60, "only episodes 1 and 2 were explored again")
        XCTAssertEqual(resumedPool.siteResets, ["shop#0", "shop#0"], "the interrupted episode's site was reset before it restarted")
        XCTAssertEqual(try CrawlFixtures.dump(store), try CrawlFixtures.dump(reference))

        // A resume with another config is refused rather than mixing two runs.
        let other = CrawlFixtures.config { $0.judgeThreshold = 3 }
        do {
            _ = try await CrawlFixtures.crawler(model: resumedModel, store: store, pool: resumedPool, episodes: 3, config: other).run()
            XCTFail("resumed with another config")
        } catch is CrawlStoreError {}
    }
}
