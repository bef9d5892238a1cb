import XCTest
import TestSupport
import LanguageModels
import WebBrowser
@testable import Pipeline

/// The quality gates of issue 15 §0: instruction filter, loop guard, contrastive consistency.
final class QualityGateTests: XCTestCase {
    // MARK: Instruction filter

    /// The embedded model's accepted "instructions" quoted in issue 15 (and the bundled sample's), all judged 4-5.
    func testFilterRejectsTheJunkQuotedInTheIssue() {
        let junk = [
            "var myDisplay = instance._children?[0].viewItem",
            "I'm ready to help with your specific details",
            "The given recipe is designed to provide benefits to your children",
            "Keep your answers to this question in a tabular format",
            "Could you tell me which product you would like to buy?",
            "Sure, here is the list of steps you asked for",
            "let total = items.reduce(0, +);",
            "What do you want me to do next?",
        ]
        for text in junk {
            XCTAssertNotNil(InstructionFilter.rejection(text), "accepted junk: \(text)")
        }
        XCTAssertEqual(InstructionFilter.rejection(junk[0])?.hasPrefix("looks like code"), true)
        XCTAssertEqual(InstructionFilter.rejection(junk[1])?.hasPrefix("chat filler"), true)
    }

    func testFilterKeepsWebTasks() {
        let good = [
            "Open the Forums page and list the Postmill discussions",
            "What is the price of the Sony headphones?",
            "Add the blue kettle to the shopping cart",
            "Please find the wiki article about the Danube river",
            "Search for deals on baby formula and sort them by price",
            "Log in and check the status of order 000000170",
            "Return the kettle ordered last week",
            "How many open merge requests does the project have?",
            "Go to shop.example.com/electronics and view the cameras",
        ]
        for text in good {
            XCTAssertNil(InstructionFilter.rejection(text), "rejected a web task: \(text)")
        }
    }

    func testLabelParsingUsesTheFilterOnlyWhenAskedAndFallsBackToAnEarlierLine() {
        let response = "Open the Electronics category page\nI'm ready to help with your specific details"
        XCTAssertEqual(ModuleOutputParsing.label(response, acceptUntagged: true).instruction,
                       "I'm ready to help with your specific details", "without the filter the last line wins (old behaviour)")
        XCTAssertEqual(ModuleOutputParsing.label(response, acceptUntagged: true, siteInstructionsOnly: true).instruction,
                       "Open the Electronics category page")
        guard case .unusable(let reason) = ModuleOutputParsing.label("Instruction: var x = a.b;", siteInstructionsOnly: true) else {
            return XCTFail("code passed as an instruction")
        }
        XCTAssertTrue(reason.contains("not a site instruction"), reason)
    }

    // MARK: Loop guard

    func step(_ i: Int, _ url: String, _ target: String, action: String = "click") -> ExploredStep {
        ExploredStep(index: i, url: url, observation: "", action: "\(action) [\(i)]",
                     actionDescription: "\(action) [\(i)] where [\(i)] is \(target)")
    }

    func testOscillationBetweenTwoLinksCountsAsRepetition() {
        // click [12] Postmill, click [15] Forums, four times (issue 15 §0); ids differ, targets alternate.
        let loop = (0..<4).map { step($0, $0 % 2 == 0 ? "/" : "/forums", $0 % 2 == 0 ? "link 'Forums'" : "link 'Postmill'") }
        XCTAssertTrue(ExplorationLoopGuard.isOscillating(loop, finalURL: "/"))
        let walk = [step(0, "/", "link 'A'"), step(1, "/a", "link 'B'"), step(2, "/b", "link 'C'"), step(3, "/c", "link 'D'")]
        XCTAssertFalse(ExplorationLoopGuard.isOscillating(walk, finalURL: "/d"))
        // Different links, but the pages ping-pong between two URLs: Sign In / Home back and forth.
        let pages = [step(0, "/", "link 'Sign In'"), step(1, "/login", "link 'Home'"), step(2, "/", "link 'Log in'"),
                     step(3, "/login", "link 'One Stop Market'")]
        XCTAssertTrue(ExplorationLoopGuard.isOscillating(pages, finalURL: "/"))
        let scrolling = (0..<4).map { step($0, "/", "", action: "scroll") }
        XCTAssertFalse(ExplorationLoopGuard.isOscillating(scrolling, finalURL: "/"))
    }

    func testConstrainedChoiceIsOfferedUnseenTargetsFirst() {
        let history = [step(0, "/", "link 'Forums'"), step(1, "/forums", "link 'Postmill'")]
        let names = [12: "link 'Postmill'", 15: "link 'Forums'", 16: "link 'Wiki'", 17: "link 'Alice'"]
        let describe: (BrowserAction) -> String = { action in
            guard case .click(let id) = action else { return action.description }
            return "click [\(id)] where [\(id)] is \(names[id]!)"
        }
        let offered = ExplorationLoopGuard.preferUnseen([.click(id: 12), .click(id: 15), .click(id: 16), .click(id: 17), .goBack],
                                                        history: history, describe: describe)
        XCTAssertEqual(offered, [.click(id: 16), .click(id: 17)])
        // Too few new targets: the model keeps its whole choice rather than a forced one.
        XCTAssertEqual(ExplorationLoopGuard.preferUnseen([.click(id: 12), .click(id: 16)], history: history, describe: describe),
                       [.click(id: 12), .click(id: 16)])
    }

    /// The canned policy on the static shop ping-pongs between two pages when the constrained re-ask
    /// always takes its first candidate; the guard ends such an episode or steers it elsewhere.
    func testCrawlWithAnOscillatingPolicyNeverRepeatsAnABABCycle() async throws {
        let prompts = CrawlFixtures.prompts
        // Always the last click offered: on the shop that is "My Cart", then "Home" from the cart, and again.
        let model = ScriptedTestDoubleModel(canned: CannedChatModel(prompts: prompts, unparseablePolicy: { _ in true }),
                                            prompts: prompts, choose: { $0.last { $0.hasPrefix("click") } ?? $0[0] })
        for gates in [false, true] {
            let store = try CrawlStore()
            var config = CrawlFixtures.config()
            if !gates { config = config.withoutQualityGates() }
            _ = try await CrawlFixtures.crawler(model: model, store: store, pool: StaticSitePool(instances: 1), episodes: 1,
                                                config: config).run()
            let steps = try await store.database.read { db in
                try ExploredStep.fetchAllForTest(db, episode: 0)
            }
            let cycles = (0..<max(0, steps.count - 3)).filter { ExplorationLoopGuard.isOscillating(Array(steps[$0..<($0 + 4)])) }
            let walk = steps.map { ExplorationLoopGuard.target(of: $0.actionDescription ?? "") }
            if gates {
                // At most the one cycle that ends the episode.
                XCTAssertLessThanOrEqual(cycles.count, 1, "A-B-A-B cycles were explored: \(walk)")
                if let start = cycles.first { XCTAssertEqual(start + 4, steps.count, "the episode went on after a cycle: \(walk)") }
            } else {
                XCTAssertGreaterThan(cycles.count, 2, "the test policy should oscillate without the guard: \(walk)")
            }
        }
    }

    // MARK: Contrastive consistency

    func testContrastiveScoreSeparatesGroundedInstructionsFromGenericText() async throws {
        let summaries = ["The page changed to \"Electronics\".", "The page changed to \"Camera $249.00\"."]
        let scorer = ContrastiveConsistency(margin: 0.05)
        let model = ScriptedTestDoubleScorer()
        let grounded = try await scorer.score(instruction: "Open the Camera page in Electronics", summaries: summaries,
                                              tokens: 8, logProbability: model.logProbability)
        let generic = try await scorer.score(instruction: "Keep track of everything for a long time", summaries: summaries,
                                             tokens: 8, logProbability: model.logProbability)
        XCTAssertEqual(grounded?.passes, true)
        XCTAssertEqual(generic?.passes, false)
        XCTAssertGreaterThan(grounded!.value, generic!.value)
        let unscored = try await scorer.score(instruction: "x y z", summaries: summaries, tokens: 3) { _, _ in nil }
        XCTAssertNil(unscored, "a backend that cannot score gives no verdict")
    }

    /// Junk that passes the label guard is pruned as `inconsistent` before the judge is asked; a
    /// grounded label goes on to the judge. The scoring calls are recorded as module `consistency`.
    func testExplorerPrunesInconsistentLabelsBeforeTheJudge() async throws {
        let prompts = CrawlFixtures.prompts
        let model = ScriptedTestDoubleModel(canned: CannedChatModel(prompts: prompts), prompts: prompts) { depth in
            depth == 8 ? "Instruction: Find the best recipes for dinner tonight" : nil
        }
        let store = try CrawlStore()
        _ = try await CrawlFixtures.crawler(model: model, store: store, pool: StaticSitePool(instances: 1), episodes: 1).run()
        let checkpoints = try await store.database.read { db in
            try Row.fetchAll(db, sql: "SELECT depth, decision, consistency FROM checkpoints ORDER BY depth")
                .map { ($0["depth"] as Int, $0["decision"] as String, $0["consistency"] as Double?) }
        }
        XCTAssertEqual(checkpoints.map(\.1), ["accepted", "inconsistent"])
        XCTAssertNotNil(checkpoints[0].2)
        let calls = try await store.database.read { db in
            try Row.fetchAll(db, sql: "SELECT module, step FROM model_calls WHERE module IN ('judge', 'consistency')")
                .map { ($0["module"] as String, $0["step"] as Int) }
        }
        // A local judge may take two calls per checkpoint (its thought, then the scored digit); none at depth 8.
        XCTAssertEqual(Set(calls.filter { $0.0 == "judge" }.map(\.1)), [4], "no judge call for the inconsistent label")
        XCTAssertEqual(calls.filter { $0.0 == "consistency" }.count, 2 * (1 + ContrastiveConsistency.contrastTrajectories.count))
    }
}

import GRDB

extension ExploredStep {
    static func fetchAllForTest(_ db: Database, episode: Int) throws -> [ExploredStep] {
        try Row.fetchAll(db, sql: "SELECT * FROM steps WHERE episode = ? AND action IS NOT NULL ORDER BY idx", arguments: [episode])
            .map { ExploredStep(index: $0["idx"], url: $0["url"], observation: $0["observation"], action: $0["action"],
                                actionDescription: $0["action_description"]) }
    }
}
