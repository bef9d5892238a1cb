import Foundation
import LanguageModels
import Pipeline
import WebBrowser
import XCTest
@testable import Evaluation

/// Test double: scores every offered choice by a fixed rule (its verb's weight minus a spread),
/// the way a policy sure to click but unsure where would.
private struct FixedChoiceScoresModel: ChatModel {
    let identifier = "test-double:fixed-choice-scores"
    let score: @Sendable (String) -> Double
    func complete(_ request: ChatRequest) async throws -> ChatResponse {
        let choices = request.choices ?? []
        let scores = choices.map(score)
        let best = scores.indices.max { scores[$0] < scores[$1] }!
        return ChatResponse(text: choices[best], finishReason: "choice", choiceLogProbs: scores)
    }
}

/// Test double: every answer has a prior score (how likely its words are anyway), and the objective
/// "Show me phones", when the prompt has it, raises the Phones link's score a little.
private struct ObjectiveSensitiveModel: ChatModel {
    let identifier = "test-double:objective-sensitive"
    func complete(_ request: ChatRequest) async throws -> ChatResponse {
        let user = request.messages.last?.content ?? ""
        let choices = request.choices ?? []
        let scores: [Double] = choices.map { choice in
            let prior: Double = choice.contains("[2]") ? -1 : choice.contains("[3]") ? -3 : choice.contains("scroll") ? -1.5 : -6
            return prior + (user.contains("Show me phones") && choice.contains("[3]") ? 1.5 : 0)
        }
        let best = scores.indices.max { scores[$0] < scores[$1] }!
        return ChatResponse(text: choices[best], finishReason: "choice", choiceLogProbs: scores)
    }
}

/// Test double: a trained policy that reasons "the phones are behind the Phones link" and, given that
/// reasoning, finds the Phones click most likely; without reasoning (a shape its training never had)
/// it prefers the stop answer every one of its stop targets ends in.
private struct ReasoningPolicyDouble: ChatModel {
    let identifier = "test-double:reasoning-policy"
    static let reasoning = "The phones are behind the Phones link."
    final class Requests: @unchecked Sendable { var all: [ChatRequest] = [] }
    let requests = Requests()
    func complete(_ request: ChatRequest) async throws -> ChatResponse {
        requests.all.append(request)
        guard let choices = request.choices else {
            // The whole answer; the stop sequence cuts it where the engine would.
            var text = "\(PolicyAnswerFormat.opening) \(Self.reasoning) \(PolicyAnswerFormat.actionPhrase) ```click [3]```"
            if let stop = request.options.stop.first, let cut = text.range(of: stop) { text = String(text[..<cut.lowerBound]) }
            return ChatResponse(text: text, finishReason: "stop")
        }
        let scores: [Double] = choices.map { choice in
            if choice.contains(Self.reasoning) { return choice.contains("```click [3]```") ? -1 : -4 }
            return choice.contains("I have finished my tasks.") ? -2 : -5
        }
        let best = scores.indices.max { scores[$0] < scores[$1] }!
        return ChatResponse(text: choices[best], finishReason: "choice", choiceLogProbs: scores)
    }
}

final class ChoiceScoringTests: XCTestCase {
    func testJointTakesTheSingleMostLikelyAnswer() {
        let scores = [log(0.2), log(0.2), log(0.2), log(0.3), log(0.1)]
        let verbs = ["click", "click", "click", "scroll", "stop"]
        XCTAssertEqual(ChoiceScoring.joint.pick(logProbabilities: scores, verbs: verbs), 3)
    }

    func testVerbFirstTakesTheVerbWithTheMostMassThenItsBestAnswer() {
        // Clicks hold 0.6 together, the scroll 0.3: verb-first clicks, on the best click (index 1).
        let scores = [log(0.15), log(0.25), log(0.2), log(0.3), log(0.1)]
        let verbs = ["click", "click", "click", "scroll", "stop"]
        XCTAssertEqual(ChoiceScoring.verbFirst.pick(logProbabilities: scores, verbs: verbs), 1)
        // With one candidate per verb the two rules agree.
        let single = [log(0.5), log(0.3), log(0.2)]
        XCTAssertEqual(ChoiceScoring.verbFirst.pick(logProbabilities: single, verbs: ["click", "scroll", "stop"]),
                       ChoiceScoring.joint.pick(logProbabilities: single, verbs: ["click", "scroll", "stop"]))
    }

    func testVerbMassIsALogSumExpThatSurvivesVeryNegativeScores() {
        // Log-probabilities of whole answers are around -30 to -60: exp underflows without the shift.
        let scores = [-800.0, -800.0, -800.0, -799.5]
        XCTAssertEqual(ChoiceScoring.verbFirst.pick(logProbabilities: scores, verbs: ["click", "click", "click", "scroll"]), 0)
        XCTAssertEqual(ReferenceAgreement.logSumExp([-800, -800]), -800 + log(2), accuracy: 1e-9)
    }

    func testMismatchedOrEmptyOrNonFiniteScoresPickNothingOrSkipTheBadOnes() {
        XCTAssertNil(ChoiceScoring.verbFirst.pick(logProbabilities: [], verbs: []))
        XCTAssertNil(ChoiceScoring.verbFirst.pick(logProbabilities: [-1, -2], verbs: ["click"]))
        XCTAssertNil(ChoiceScoring.joint.pick(logProbabilities: [-.infinity, .nan], verbs: ["click", "scroll"]))
        XCTAssertEqual(ChoiceScoring.verbFirst.pick(logProbabilities: [.nan, -5, -1], verbs: ["scroll", "click", "click"]), 2)
    }

    func testObjectivePMITakesTheAnswerTheObjectiveRaisesMost() async throws {
        let observation = Observation(text: "Tab 0 (current): Shop\n\n[1] RootWebArea 'Shop' focused: True\n\t[2] link 'Laptops'\n\t[3] link 'Phones'",
                                      url: "http://shop.test/", title: "Shop", tabs: [.init(title: "Shop", url: "http://shop.test/")],
                                      activeTab: 0, viewportCount: 2)
        var agent = PolicyAgent(model: ObjectiveSensitiveModel(), prompt: StudentPrompt(template: try PromptLibrary().studentPolicy, maxSequenceTokens: 100_000),
                                decoding: .choice)
        // Joint: Laptops (−1) beats Phones (−3 + 1.5). PMI: Phones gained 1.5 from the objective, the rest 0.
        let joint = try await agent.decide(observation: observation, objective: "Show me phones", previousActions: [], canGoBack: false)
        XCTAssertEqual(joint.action, .click(id: 2))
        agent.choiceScoring = .objectivePMI
        let pmi = try await agent.decide(observation: observation, objective: "Show me phones", previousActions: [], canGoBack: false)
        XCTAssertEqual(pmi.action, .click(id: 3))
        // The recorded scores stay the model's log-likelihoods with the objective (what the reference metric reads).
        XCTAssertEqual(pmi.choiceLogProbabilities, joint.choiceLogProbabilities)
    }

    func testTheAgentActsOnTheRuleItWasGiven() async throws {
        let page = """
        Tab 0 (current): Shop

        [1] RootWebArea 'Shop' focused: True
        \t[2] link 'Laptops'
        \t[3] link 'Phones'
        \t[4] link 'Tablets'
        \t[5] link 'Cameras'
        """
        let observation = Observation(text: page, url: "http://shop.test/", title: "Shop",
                                      tabs: [.init(title: "Shop", url: "http://shop.test/")], activeTab: 0, viewportCount: 2)
        // Every click 0.12 (0.48 together), the scroll 0.3, everything else far less likely.
        let model = FixedChoiceScoresModel { choice in
            if choice.contains("```click [") { return log(choice.contains("[3]") ? 0.13 : 0.12) }
            if choice.contains("```scroll [down]") { return log(0.3) }
            return log(0.001)
        }
        var agent = PolicyAgent(model: model, prompt: StudentPrompt(template: try PromptLibrary().studentPolicy, maxSequenceTokens: 100_000),
                                decoding: .choice)
        let joint = try await agent.decide(observation: observation, objective: "Show me phones", previousActions: [], canGoBack: false)
        XCTAssertEqual(joint.action, .scroll(.down))
        agent.choiceScoring = .verbFirst
        let verbFirst = try await agent.decide(observation: observation, objective: "Show me phones", previousActions: [], canGoBack: false)
        XCTAssertEqual(verbFirst.action, .click(id: 3))
        XCTAssertTrue(verbFirst.raw.hasSuffix("```click [3]```"))
        // The rule is part of what makes an evaluation folder comparable.
        let a = EvaluationSettings(label: "", benchmark: "b", agent: agent, maxSteps: 3, browser: "native")
        agent.choiceScoring = .joint
        let b = EvaluationSettings(label: "", benchmark: "b", agent: agent, maxSteps: 3, browser: "native")
        XCTAssertEqual(a.differences(from: b), ["--choice-scoring: joint in the folder, verb-first now"])
    }

    func testReasonedDecodingChoosesAfterThePolicysOwnReasoning() async throws {
        let observation = Observation(text: "Tab 0 (current): Shop\n\n[1] RootWebArea 'Shop' focused: True\n\t[2] link 'Laptops'\n\t[3] link 'Phones'",
                                      url: "http://shop.test/", title: "Shop", tabs: [.init(title: "Shop", url: "http://shop.test/")],
                                      activeTab: 0, viewportCount: 2)
        let prompt = StudentPrompt(template: try PromptLibrary().studentPolicy, maxSequenceTokens: 100_000)
        let model = ReasoningPolicyDouble()
        let choice = try await PolicyAgent(model: model, prompt: prompt, decoding: .choice)
            .decide(observation: observation, objective: "Show me phones", previousActions: [], canGoBack: false)
        XCTAssertEqual(choice.action, .stop(answer: ""), "choice decoding scores answers without reasoning and takes the stop")
        let reasoned = try await PolicyAgent(model: model, prompt: prompt, decoding: .reasoned)
            .decide(observation: observation, objective: "Show me phones", previousActions: [], canGoBack: false)
        XCTAssertEqual(reasoned.action, .click(id: 3))
        XCTAssertEqual(reasoned.raw, PolicyAnswerFormat.answer(reasoning: ReasoningPolicyDouble.reasoning, action: .click(id: 3)))
        // One generation that stops at the action phrase, then one scoring call whose every choice opens with it.
        let last = Array(model.requests.all.suffix(2))
        XCTAssertNil(last[0].choices)
        XCTAssertTrue(last[0].options.stop.contains(PolicyAnswerFormat.actionPhrase))
        let offered = try XCTUnwrap(last[1].choices)
        XCTAssertTrue(offered.allSatisfy { $0.hasPrefix("\(PolicyAnswerFormat.opening) \(ReasoningPolicyDouble.reasoning) \(PolicyAnswerFormat.actionPhrase) ```") })
        XCTAssertTrue(offered.contains { $0.hasSuffix("```stop []```") })
        XCTAssertEqual(reasoned.choiceLogProbabilities?.count, offered.count)
    }

    func testTheReasoningOfAnAnswerIsBetweenTheOpeningAndTheAction() {
        XCTAssertEqual(PolicyAnswerFormat.reasoning(in: "Let's think step-by-step. I see the link. In summary, the next action I will perform is ```click [3]```"),
                       "I see the link.")
        XCTAssertEqual(PolicyAnswerFormat.reasoning(in: "Let's think step-by-step. I see the link. "), "I see the link.")
        XCTAssertEqual(PolicyAnswerFormat.reasoning(in: "I would click ```click [3]``` now"), "I would click")
        XCTAssertEqual(PolicyAnswerFormat.reasoning(in: ""), "")
        // The answer built from it is the training target's shape.
        XCTAssertEqual(PolicyAnswerFormat.answer(reasoning: PolicyAnswerFormat.reasoning(in: "Let's think step-by-step. "), action: .scroll(.down)),
                       PolicyAnswerFormat.answer(action: .scroll(.down)))
    }
}
