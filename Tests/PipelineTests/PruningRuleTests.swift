import XCTest
@testable import Pipeline

/// Pruning decisions on crafted labeler and judge outputs.
final class PruningRuleTests: XCTestCase {
    let rule = PruningRule(threshold: 4, noveltyJaccard: 0.8)

    func decide(label: String, judge: String, previous: String? = nil) -> CheckpointDecision {
        rule.decide(label: ModuleOutputParsing.label(label), score: ModuleOutputParsing.score(judge), previousAccepted: previous)
    }

    func testThresholdIsFourOfFive() {
        XCTAssertEqual(decide(label: "Instruction: Add the kettle to the cart", judge: "Thought: ok\nReward: 4"), .accept)
        XCTAssertEqual(decide(label: "Instruction: Add the kettle to the cart", judge: "Reward: 5"), .accept)
        XCTAssertEqual(decide(label: "Instruction: Add the kettle to the cart", judge: "Reward: 4.5"), .accept)
        guard case .prune(.lowScore, let detail) = decide(label: "Instruction: Add the kettle to the cart", judge: "Reward: 3") else {
            return XCTFail("score 3 was not pruned")
        }
        XCTAssertTrue(detail.contains("3"))
        guard case .prune(.lowScore, _) = decide(label: "Instruction: Add the kettle to the cart", judge: "Reward: 3.9") else {
            return XCTFail("score 3.9 was not pruned")
        }
    }

    func testUnreadableJudgeIsRecordedFailure() {
        guard case .prune(.judgeUnparseable, let detail) = decide(label: "Instruction: Add the kettle to the cart",
                                                                   judge: "The agent did great!") else {
            return XCTFail("unreadable judge answer was not a judge failure")
        }
        XCTAssertFalse(detail.isEmpty)
    }

    func testUnusableLabelPrunesBeforeJudging() {
        guard case .prune(.labelUnusable, _)? = rule.screen(label: ModuleOutputParsing.label("Instruction: n/a"), previousAccepted: nil) else {
            return XCTFail("n/a label was not pruned")
        }
        guard case .prune(.labelUnusable, _) = decide(label: "Thought  We see multiple searches", judge: "Reward: 5") else {
            return XCTFail("a good score rescued a junk label")
        }
    }

    func testNothingNewSinceThePreviousLabelPrunes() {
        let previous = "Add the kettle to the cart"
        guard case .prune(.notNovel, _) = decide(label: "Instruction: add the Kettle to the cart.", judge: "Reward: 5",
                                                 previous: previous) else {
            return XCTFail("the same instruction was accepted twice")
        }
        guard case .prune(.notNovel, _) = decide(label: "Instruction: Add the kettle to the shopping cart", judge: "Reward: 5",
                                                 previous: previous) else {
            return XCTFail("a near-identical instruction (Jaccard ≥ 0.8) was accepted")
        }
        XCTAssertEqual(decide(label: "Instruction: Add the kettle to the cart and check out", judge: "Reward: 4",
                              previous: previous), .accept)
    }
}
