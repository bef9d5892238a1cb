import ChromiumBrowser
import Foundation
import LanguageModels
import Pipeline
import XCTest
@testable import Evaluation
import TestSupport

/// MiniWoB++ through the policy evaluator, in headless Chromium, with named test-double policies.
final class MiniWoBEvaluationTests: XCTestCase {
    func evaluation(_ model: any ChatModel, fallback: Bool = false) throws -> MiniWoBEvaluation {
        try TestRequirements.chromium()
        let pages: MiniWoBPages
        pages = try TestRequirements.miniWoBPages()
        let agent = PolicyAgent(model: model, prompt: StudentPrompt(template: try PromptLibrary().studentPolicy),
                                constrainedFallback: fallback)
        return MiniWoBEvaluation(agent: agent, taskSet: try MiniWoBTaskSet.load(), pages: pages)
    }

    func testAPolicyThatClicksTheNamedButtonEarnsTheReward() async throws {
        let eval = try evaluation(ButtonClickingModel())
        let task = try XCTUnwrap(eval.taskSet.task(named: "click-button"))
        let episodes = try await eval.run(tasks: [task], seeds: [42, 43], progress: false)
        XCTAssertEqual(episodes.count, 2)
        for e in episodes {
            XCTAssertTrue(e.succeeded, "\(e.intent): \(e.result) after \(e.steps.map(\.actionDescription))")
            XCTAssertTrue(e.intent.lowercased().contains("click"), "the utterance is the instruction: \(e.intent)")
        }
        XCTAssertNotEqual(episodes[0].intent, episodes[1].intent, "seeds give different task instances")
    }

    func testProseEarnsNothing() async throws {
        let eval = try evaluation(ProseOnlyModel())
        let task = try XCTUnwrap(eval.taskSet.task(named: "click-button"))
        let episode = try await eval.run(tasks: [task], seeds: [42], progress: false)[0]
        XCTAssertFalse(episode.succeeded)
        XCTAssertEqual(episode.failure, .invalidActions)
    }
}

/// Test double: reads "Click on the "X" button." from the objective and clicks the button named X.
struct ButtonClickingModel: ChatModel {
    let identifier = "test-double:button-clicker"
    func complete(_ request: ChatRequest) async throws -> ChatResponse {
        let user = request.messages.last?.content ?? ""
        let objective = ScriptedSolutionOracle.field("OBJECTIVE:", in: user)
        let parts = objective.components(separatedBy: "\"")
        let target = parts.count >= 3 ? parts[1] : objective
        let button = CandidateActions.elements(in: user).first { $0.role == "button" && $0.name == target }
        return ScriptedSolutionOracle.answer(button.map { "click [\($0.id)]" } ?? "stop [not found]")
    }
}
