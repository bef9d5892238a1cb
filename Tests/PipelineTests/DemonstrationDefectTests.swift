import XCTest
import TestSupport
import GRDB
import LanguageModels
import WebBrowser
@testable import Pipeline

/// One test per defect of issue 13 that the static test site can show (the signed-in crawl and the
/// port-independence of real sites are in `SignedInCrawlTests`), each with the canned test double.
final class DemonstrationDefectTests: XCTestCase {
    let prompts = CrawlFixtures.prompts

    // MARK: Defect 3: the constrained re-ask

    /// A server without guided choice answers from the list in the prompt: the crawl goes on.
    func testConstrainedReAskShowsTheCandidatesAndSurvivesAServerWithoutGuidedChoice() async throws {
        let prompts = self.prompts
        let canned = CannedChatModel(prompts: prompts)
        try await CannedModelHTTPServer.with(answering: canned) { baseURL in
            let model = try OpenAICompatibleChatModel(configuration: .init(baseURL: baseURL, model: "canned"))
            let store = try CrawlStore()
            let config = CrawlFixtures.config { $0.freeFormPolicy = false; $0.maxActions = 4 }
            let crawler = Crawler(model: model, prompts: prompts, config: config, store: store,
                                  environments: StaticSitePool(instances: 1), sites: ["shop"], episodes: 1)
            let summary = try await crawler.run()
            XCTAssertEqual(summary.failed, 0, "\(summary.errors)")
            XCTAssertEqual(summary.completed, 1)
            let actions = try await store.database.read { db in
                try String.fetchAll(db, sql: "SELECT action FROM steps WHERE action IS NOT NULL ORDER BY idx")
            }
            XCTAssertEqual(actions.count, 4, "every step chose a listed action")
        }
        let choicePrompts = canned.requests.filter { canned.module(of: $0) == "choice" }
        XCTAssertFalse(choicePrompts.isEmpty)
        for request in choicePrompts {
            XCTAssertTrue(request.messages.last!.content.contains("POSSIBLE ACTIONS:\n- click [10]"), request.messages.last!.content)
        }
    }

    /// An answer that names no candidate is recorded and counted as an unusable answer; the
    /// episode ends with that stated reason instead of failing (and the crawl is not aborted).
    func testAnAnswerOffTheListNeverFailsTheEpisode() async throws {
        let prompts = self.prompts
        let canned = CannedChatModel(prompts: prompts)
        canned.policyOverride = { _ in "no idea" }
        try await CannedModelHTTPServer.with(answering: canned) { baseURL in
            let model = try OpenAICompatibleChatModel(configuration: .init(baseURL: baseURL, model: "canned"))
            let store = try CrawlStore()
            // The HTTP double answers choice prompts without a list (the old prompt) with junk:
            // here the list is present, so make every answer junk by hiding it behind a wrong module.
            let config = CrawlFixtures.config { $0.maxActions = 4 }
            var junkPrompts = prompts
            junkPrompts.explorationChoice.user = "Pick one.\n{observation}"
            let crawler = Crawler(model: model, prompts: junkPrompts, config: config, store: store,
                                  environments: StaticSitePool(instances: 2), sites: ["shop"], episodes: 4)
            let summary = try await crawler.run()
            XCTAssertEqual(summary.failed, 0, "\(summary.errors)")
            XCTAssertEqual(summary.completed, 4)
            try await store.database.read { db in
                XCTAssertEqual(try String.fetchAll(db, sql: "SELECT DISTINCT stop_reason FROM episodes"), ["parse_failures"])
                let detail = try String.fetchOne(db, sql: "SELECT stop_detail FROM episodes WHERE idx = 0") ?? ""
                XCTAssertTrue(detail.contains("matched no candidate"), detail)
                let recorded = try String.fetchAll(db, sql: "SELECT response FROM model_calls WHERE module = 'policy_choice'")
                XCTAssertEqual(recorded.count, 4 * 3)
                XCTAssertTrue(recorded.allSatisfy { $0.hasPrefix("error: ") }, "\(recorded)")
            }
        }
    }

    func testCandidateAnswersAreMatchedLeniently() {
        let candidates: [BrowserAction] = [.click(id: 10), .type(id: 30, text: "deals", pressEnter: true), .goBack]
        XCTAssertEqual(CandidateActions.match("click [10]", in: candidates), .click(id: 10))
        XCTAssertEqual(CandidateActions.match("The next action is ```type [30] [deals]```", in: candidates), candidates[1])
        XCTAssertEqual(CandidateActions.match("- go_back", in: candidates), .goBack)
        XCTAssertEqual(CandidateActions.match("click [10] where [10] is link 'Electronics'", in: candidates), .click(id: 10))
        XCTAssertEqual(CandidateActions.match("2", in: candidates), candidates[1])
        XCTAssertNil(CandidateActions.match("click [11]", in: candidates))
        XCTAssertNil(CandidateActions.match("I am not sure", in: candidates))
    }

    // MARK: Defect 6: the per-episode cap keeps a spread of depths

    func testThePerEpisodeCapKeepsShortAndLongPrefixes() async throws {
        let model = CannedChatModel(prompts: prompts, judge: { _, _ in "Thought: fine.\nReward: 5" })
        let store = try CrawlStore()
        let config = CrawlFixtures.config {
            $0.maxActions = 20
            $0.maxDemonstrationsPerEpisode = 3
            $0.noveltyJaccard = 1.01
            $0.nearDuplicateJaccard = nil
            $0.maxRepeatedActions = 0
        }
        _ = try await CrawlFixtures.crawler(model: model, store: store, pool: StaticSitePool(instances: 1), episodes: 1,
                                            config: config).run()
        let accepted = try await store.database.read { db in
            try Int.fetchAll(db, sql: "SELECT depth FROM checkpoints WHERE decision = 'accepted' ORDER BY depth")
        }
        XCTAssertEqual(accepted, [4, 8, 12, 16, 20])
        XCTAssertEqual(try store.demonstrations().map(\.depth), [4, 12, 20], "shortest, middle and longest, not 12/16/20")
    }

    // MARK: Defect 7: failed actions are never targets

    func testAFailedActionIsHistoryButNeverATarget() async throws {
        let model = CannedChatModel(prompts: prompts)
        // Step 1 clicks an element that does not exist on the page.
        model.policyOverride = { depth in
            depth == 1 ? "Let's think step-by-step. In summary, the next action I will perform is ```click [77]```" : nil
        }
        let store = try CrawlStore()
        let config = CrawlFixtures.config { $0.maxActions = 4 }
        _ = try await CrawlFixtures.crawler(model: model, store: store, pool: StaticSitePool(instances: 1), episodes: 1,
                                            config: config).run()
        let demo = try XCTUnwrap(try store.demonstrations().first)
        XCTAssertEqual(demo.steps[1].action, "click [77]")
        XCTAssertNotNil(demo.steps[1].error)
        XCTAssertEqual(demo.steps[1].rationale, "")
        let rationalized = model.requests.filter { model.module(of: $0) == "rationale" }
            .map { CannedChatModel.section("Action:", in: $0.messages.last!.content).trimmingCharacters(in: .whitespacesAndNewlines) }
        XCTAssertFalse(rationalized.contains("click [77]"), "no rationale is asked for the failed action")

        let rows = DatasetExporter(studentPrompt: StudentPrompt(template: prompts.studentPolicy)).rows(for: demo)
        XCTAssertEqual(rows.count, demo.steps.count + 1)
        XCTAssertEqual(rows[1], .failedAction(step: 1))
        let targets = rows.compactMap(\.row).map { $0.messages[2].content }
        XCTAssertEqual(targets.count, demo.steps.count)
        XCTAssertFalse(targets.contains { $0.contains("click [77]") })
        // Later rows still show it in their history, as it happened.
        XCTAssertTrue(try XCTUnwrap(rows[2].row).messages[1].content.contains("3: click [77]"))
    }

    // MARK: Defect 9: local scoring keeps the reasoning and the randomness

    func testTheScoringJudgeReasonsBeforeItsScoreIsRead() async throws {
        let model = CannedChatModel(prompts: prompts)
        let config = CrawlFixtures.config { $0.judgeMode = .choices }
        let modules = NNetnavModules(model: model, prompts: prompts, config: config) { _ in }
        let judged = try await modules.judge(instruction: "Open the cart", summaries: ["The cart opened."],
                                             previousSubtask: nil, step: 4, seed: 1)
        let calls = model.requests.filter { model.module(of: $0) == "judge" }
        XCTAssertEqual(calls.count, 2)
        XCTAssertNil(calls[0].choices, "the judge first writes its thought")
        XCTAssertEqual(calls[0].options.stop, ["Reward:"])
        let choices = try XCTUnwrap(calls[1].choices)
        XCTAssertEqual(choices, (1...5).map { "Thought: good progress.\nReward: \($0)" })
        XCTAssertEqual(judged.score, .score(4))
        XCTAssertEqual(judged.raw, "Thought: good progress.\nReward: 4")
    }

    func testTheConstrainedExplorerSamplesAtThePolicyTemperature() async throws {
        func chosen(seed: UInt64) async throws -> [String] {
            let model = CannedChatModel(prompts: prompts)
            model.scoresChoicesUniformly = true
            let store = try CrawlStore()
            let config = CrawlFixtures.config {
                $0.freeFormPolicy = false
                $0.maxActions = 8
                $0.maxRepeatedActions = 0
                $0.judgeThreshold = 1
                $0.seed = seed
            }
            _ = try await CrawlFixtures.crawler(model: model, store: store, pool: StaticSitePool(instances: 1),
                                                episodes: 1, config: config).run()
            return try await store.database.read { db in
                try String.fetchAll(db, sql: "SELECT action || ' @ ' || url FROM steps WHERE action IS NOT NULL ORDER BY idx")
            }
        }
        let first = try await chosen(seed: 0)
        XCTAssertEqual(first.count, 8)
        let replay = try await chosen(seed: 0)
        XCTAssertEqual(replay, first, "the same seed replays the same choices")
        // The arg-max (always the first candidate, "click [10]") is not what a sampled walk does.
        XCTAssertTrue(first.contains { !$0.hasPrefix("click [10]") }, "\(first)")
        let other = try await chosen(seed: 1)
        XCTAssertNotEqual(other, first)
    }

    func testSamplingFollowsTheTemperature() {
        let logProbs = [-0.1, -3.0, -3.0]
        let cold = (0..<200).map { NNetnavModules.sample(logProbs: logProbs, temperature: 0.05, seed: UInt64($0)) }
        XCTAssertEqual(Set(cold), [0], "near zero temperature is the arg-max")
        let warm = (0..<400).map { NNetnavModules.sample(logProbs: logProbs, temperature: 1, seed: UInt64($0)) }
        let share = Double(warm.filter { $0 == 0 }.count) / 400
        XCTAssertEqual(share, 0.896, accuracy: 0.06, "exp(-0.1) / (exp(-0.1) + 2 exp(-3))")
    }

    // MARK: Defect 10: one writer, same model and episode count

    func testASecondWriterOnOneStoreIsRefused() throws {
        let dir = try CrawlFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("crawl.sqlite").path
        let first = try CrawlStore(path: path)
        try first.begin(model: "canned:a", sites: ["shop"], episodes: 2, config: CrawlFixtures.config())
        let second = try CrawlStore(path: path)
        XCTAssertThrowsError(try second.begin(model: "canned:a", sites: ["shop"], episodes: 2, config: CrawlFixtures.config())) {
            XCTAssertTrue("\($0)".contains("in use by another crawl (pid \(getpid()))"), "\($0)")
        }
        first.releaseWriterLock()
        XCTAssertNoThrow(try second.begin(model: "canned:a", sites: ["shop"], episodes: 2, config: CrawlFixtures.config()))
    }

    func testResumingWithAnotherModelOrEpisodeCountIsRefused() async throws {
        let dir = try CrawlFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("crawl.sqlite").path
        let config = CrawlFixtures.config { $0.maxActions = 4 }
        _ = try await CrawlFixtures.crawler(model: CannedChatModel(prompts: prompts), store: try CrawlStore(path: path),
                                            pool: StaticSitePool(instances: 1), episodes: 1, config: config).run()
        do {
            _ = try await CrawlFixtures.crawler(model: CannedChatModel(identifier: "canned:other", prompts: prompts),
                                                store: try CrawlStore(path: path), pool: StaticSitePool(instances: 1),
                                                episodes: 1, config: config).run()
            XCTFail("another model resumed the store")
        } catch {
            XCTAssertTrue("\(error)".contains("made with model canned:test-double, not canned:other"), "\(error)")
        }
        do {
            _ = try await CrawlFixtures.crawler(model: CannedChatModel(prompts: prompts), store: try CrawlStore(path: path),
                                                pool: StaticSitePool(instances: 1), episodes: 3, config: config).run()
            XCTFail("another episode count resumed the store")
        } catch {
            XCTAssertTrue("\(error)".contains("made for 1 episodes, not 3"), "\(error)")
        }
        // The same options resume (nothing left to do).
        let again = try await CrawlFixtures.crawler(model: CannedChatModel(prompts: prompts), store: try CrawlStore(path: path),
                                                    pool: StaticSitePool(instances: 1), episodes: 1, config: config).run()
        XCTAssertEqual(again.alreadyDone, 1)
    }

    // MARK: The episode state

    func testAnEpisodeAdvancesStepByStepUntilItStatesWhyItStopped() async throws {
        var episode = try await episode(on: StaticSiteEnvironment.shop())
        var advances: [EpisodeAdvance] = []
        for _ in 0..<4 { advances.append(try await episode.nextStep()) }
        XCTAssertEqual(advances.prefix(3).compactMap { if case .step(let s) = $0 { s.index } else { nil } }, [0, 1, 2])
        XCTAssertEqual(advances[3], .stop(EpisodeStop(.maxActions, "3 actions")))
        XCTAssertEqual(episode.depth, 3)
    }

    func testTheExplorerIsNeverOfferedASignOut() async throws {
        let episode = try await episode(on: StaticSiteEnvironment(host: "http://shop.test", pages: [
            "/": .init(title: "One Stop Market", links: [("Electronics", "/electronics"), ("Sign Out", "/logout"), ("Log out", "/")]),
            "/electronics": .init(title: "Electronics", links: [("Home", "/")]),
            "/logout": .init(title: "Sign in", links: [("Home", "/")]),
        ]))
        // [10] Electronics stays; [11] 'Sign Out' and [12] 'Log out' would leave nothing but the sign-in form.
        XCTAssertEqual(episode.candidateActions().filter { if case .click = $0 { true } else { false } }, [.click(id: 10)])
        XCTAssertTrue(SessionControl.endsSession(name: "Log Out"))
        XCTAssertTrue(SessionControl.endsSession(name: "", url: "http://forum/logout"))
        XCTAssertFalse(SessionControl.endsSession(name: "Sign in"))
    }

    /// An episode of 3 actions, never labeled, on `environment` from its home page; its steps are not recorded.
    func episode(on environment: StaticSiteEnvironment) async throws -> ExplorationEpisode {
        struct NoSink: EpisodeSink {
            func record(step: ExploredStep) async throws {}
            func record(checkpoint: Checkpoint) async throws {}
        }
        let config = CrawlFixtures.config { $0.maxActions = 3; $0.labelInterval = 100 }
        let modules = NNetnavModules(model: CannedChatModel(prompts: prompts), prompts: prompts, config: config) { _ in }
        let start = try await environment.reset(startURL: "http://shop.test/")
        return ExplorationEpisode(plan: EpisodePlan(index: 0, site: "shop", persona: try prompts.personas(for: "shop")[0]),
                                  start: start, modules: modules, environment: environment, sink: NoSink())
    }
}
