import XCTest
import WebBrowser
@testable import Pipeline

/// The module parsers, including the cases NNetnav got wrong (colon stripping, junk labels, judge crashes).
final class ModuleOutputParsingTests: XCTestCase {
    func testStateChangeKeepsColonsThatNNetnavStripped() {
        let raw = "Thought: the cart page loaded.\nState change: The page moved to http://shop.test:8080/cart at 10:30."
        let parsed = ModuleOutputParsing.stateChange(raw)
        XCTAssertEqual(parsed.summary, "The page moved to http://shop.test:8080/cart at 10:30.")
        XCTAssertTrue(parsed.tagged)
        // NNetnav: " ".join(raw.split(":")[1:]) would have produced "...http //shop.test 8080/cart at 10 30."
    }

    func testStateChangeWithoutTagFallsBackToWholeAnswerFlagged() {
        let parsed = ModuleOutputParsing.stateChange("The search results\nappeared.")
        XCTAssertEqual(parsed.summary, "The search results appeared.")
        XCTAssertFalse(parsed.tagged)
    }

    func testLabelerReadsLastInstructionLineWithColons() {
        let raw = "Thought: they searched.\nInstruction: Find the opening hours: weekdays of the Pittsburgh store"
        XCTAssertEqual(ModuleOutputParsing.label(raw), .instruction("Find the opening hours: weekdays of the Pittsburgh store"))
        XCTAssertEqual(ModuleOutputParsing.label("**Instruction:** \"Add the kettle to the cart\""),
                       .instruction("Add the kettle to the cart"))
        XCTAssertEqual(ModuleOutputParsing.label("Instruction:\nCompare the prices of two cameras"),
                       .instruction("Compare the prices of two cameras"))
    }

    func testLabelerJunkGuard() {
        let junk = [
            "Thought  We see multiple searches for the same product",   // NNetnav v2's leaked label: no tag
            "Instruction: n/a",
            "Instruction: N/A",
            "Instruction: Thought: the user wanted something",
            "Instruction: ```click [3]```",
            "Instruction: Shop",
            "Instruction: <your-answer>",
            "Instruction: 123 456 789 000",
            "",
        ]
        for raw in junk {
            guard case .unusable = ModuleOutputParsing.label(raw) else {
                return XCTFail("accepted junk label \(raw.debugDescription)")
            }
        }
        let long = "Instruction: " + Array(repeating: "word", count: 101).joined(separator: " ")
        guard case .unusable(let reason) = ModuleOutputParsing.label(long) else { return XCTFail("accepted 101 words") }
        XCTAssertTrue(reason.contains("100"))
    }

    func testUntaggedLabelsOnlyWhenAllowed() {
        let raw = "The user wanted to compare two cameras.\nCompare the prices of the two cameras"
        guard case .unusable = ModuleOutputParsing.label(raw) else { return XCTFail("strict mode accepted an untagged label") }
        XCTAssertEqual(ModuleOutputParsing.label(raw, acceptUntagged: true), .instruction("Compare the prices of the two cameras"))
        guard case .unusable = ModuleOutputParsing.label("Thought  We see multiple searches", acceptUntagged: true) else {
            return XCTFail("lenient mode accepted a thought")
        }
    }

    func testJudgeScores() {
        let cases: [(String, Double)] = [
            ("Thought: fine.\nReward: 4", 4), ("Reward: 4.5", 4.5), ("Reward: 4/5", 4), ("4", 4), (" 5\n", 5),
            ("**Reward:** 3", 3), ("[think]ok[think] [output]5[output]", 5), ("Reward: 1.", 1),
            ("Reward: 2\nReward: 5", 5),
        ]
        for (raw, expected) in cases {
            XCTAssertEqual(ModuleOutputParsing.score(raw), .score(expected), raw)
        }
    }

    func testJudgeFailuresAreValuesNotCrashesOrZero() {
        // NNetnav v2 ran int("") and crashed; v1 silently used 0.
        for raw in ["", "Reward: great", "Reward: 7", "Reward: 0", "The agent did well overall.", "Reward:"] {
            guard case .unparseable = ModuleOutputParsing.score(raw) else { return XCTFail("parsed \(raw.debugDescription)") }
        }
    }

    func testRationaleMustEndInTheExecutedAction() {
        let executed = BrowserAction.click(id: 12)
        let good = "Output: Let's think step-by-step. The link leads to http://a.b:1/c. In summary, the next action I will perform is ```click [12]``` done."
        XCTAssertEqual(ModuleOutputParsing.rationale(good, executed: executed),
                       .matches("Let's think step-by-step. The link leads to http://a.b:1/c. In summary, the next action I will perform is ```click [12]```"))
        guard case .rejected(let reason) = ModuleOutputParsing.rationale("Output: ... ```click [13]```", executed: executed) else {
            return XCTFail("accepted another action")
        }
        XCTAssertTrue(reason.contains("click [13]"))
        guard case .rejected = ModuleOutputParsing.rationale("I would click the link.", executed: executed) else {
            return XCTFail("accepted a rationale without an action")
        }
        // The Enter flag defaults to 1 when omitted: same action.
        let typed = BrowserAction.type(id: 3, text: "kettle", pressEnter: true)
        guard case .matches(let text) = ModuleOutputParsing.rationale("Output: so ```type [3] [kettle]```", executed: typed) else {
            return XCTFail("rejected an equivalent type action")
        }
        XCTAssertTrue(text.hasSuffix("```type [3] [kettle] [1]```"))
    }

    func testStopAction() {
        XCTAssertEqual(ModuleOutputParsing.stopAction("... is ```stop [$279.49]```").action, .stop(answer: "$279.49"))
        let fallback = ModuleOutputParsing.stopAction("I think we are done")
        XCTAssertEqual(fallback.action, .stop(answer: "N/A"))
        XCTAssertFalse(fallback.parsed)
    }

    func testPromptFillIsSinglePass() {
        XCTAssertEqual(PromptTemplate.fill("A {x} B {y} {z}", ["x": "{y}", "y": "2"]), "A {y} B 2 {z}")
    }

    func testTruncationKeepsHeadWithinBudget() {
        let text = (0..<2000).map { "\t[\($0)] link 'Item number \($0)'" }.joined(separator: "\n")
        let cut = TextMeasures.truncate(text, maxTokens: 500)
        XCTAssertLessThanOrEqual(TextMeasures.estimatedTokens(cut), 500)
        XCTAssertTrue(cut.hasPrefix("\t[0] link"))
        XCTAssertTrue(cut.hasSuffix("[... page truncated ...]"))
        XCTAssertEqual(TextMeasures.truncate("short", maxTokens: 500), "short")
    }

    func testConfigDecodesPartialJSONAndWrappedForm() throws {
        let partial = try JSONDecoder().decode(ExplorationConfig.self, from: Data(#"{"maxActions": 12, "maxDemonstrationsPerEpisode": null}"#.utf8))
        XCTAssertEqual(partial.maxActions, 12)
        XCTAssertNil(partial.maxDemonstrationsPerEpisode)
        XCTAssertEqual(partial.labelInterval, 4)
        XCTAssertEqual(partial.judgeThreshold, 4)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-config-\(UUID()).json")
        try Data(#"{"model": "local", "exploration": {"labelInterval": 2}}"#.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertEqual(try ExplorationConfig.load(from: url).labelInterval, 2)
    }

    func testCandidateActionsFromObservation() {
        let text = """
        Tab 0 (current): Shop

        [1] RootWebArea 'Shop' focused: True
        \t[5] link 'Home'
        \t[6] link ''
        \t[7] button 'Search'
        \t[8] searchbox 'Search' required: False
        \t[9] link 'Home'
        \t[10] StaticText 'hello'
        """
        let observation = Observation(text: text, url: "http://s/", title: "Shop", tabs: [], activeTab: 0,
                                      viewportIndex: 0, viewportCount: 2)
        let persona = Persona(name: "Home Cook", description: "Shops for kitchen gadgets and spices")
        let actions = CandidateActions.enumerate(observation: observation, typing: .persona(persona), step: 0, canGoBack: true, limit: 10)
        XCTAssertEqual(actions.map(\.description),
                       ["click [5]", "click [7]", "type [8] [\(CandidateActions.searchWords(persona)[8 % CandidateActions.searchWords(persona).count])] [1]",
                        "scroll [down]", "go_back"])
        XCTAssertEqual(CandidateActions.enumerate(observation: observation, typing: .persona(persona), step: 0, canGoBack: true, limit: 3).count, 3)
    }
}
