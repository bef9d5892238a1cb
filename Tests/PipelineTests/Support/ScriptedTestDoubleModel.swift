import TestSupport
import Foundation
import LanguageModels
@testable import Pipeline

/// Test double for likelihood scoring: log p(choice | prompt) rises by 2 nats for every word of the
/// choice (longer than 3 letters) that the prompt contains, and falls by 1 per word. Not a language
/// model; it makes "the trajectory explains the instruction" a countable property.
struct ScriptedTestDoubleScorer: Sendable {
    func logProbability(_ messages: [ChatMessage], _ choice: String) async throws -> Double? {
        let prompt = Set(TextMeasures.tokens(messages.map(\.content).joined(separator: "\n")))
        let words = TextMeasures.tokens(choice)
        return Double(words.filter { $0.count > 3 && prompt.contains($0) }.count) * 2 - Double(words.count)
    }
}

/// Test double over `CannedChatModel`: answers contrastive-consistency requests with
/// `ScriptedTestDoubleScorer`'s log-probabilities, can replace the labeler's answer at chosen depths,
/// and can pick constrained choices by a rule. Everything else is the canned model's.
final class ScriptedTestDoubleModel: ChatModel, @unchecked Sendable {
    let canned: CannedChatModel
    let prompts: PromptLibrary
    /// The labeler's answer at a depth (number of "Step:" blocks), or nil for the canned label.
    let label: @Sendable (Int) -> String?
    /// Picks one of a constrained re-ask's candidates; nil keeps the canned choice (the first).
    let choose: (@Sendable ([String]) -> String)?
    /// Like the embedded 135M model: the rationalizer never names the executed action.
    var rationalesAlwaysWrong = false
    /// "local:" because the pipeline scores consistency only with backends that score choices, as the engine does.
    var identifier: String { "local:scripted-test-double" }

    init(canned: CannedChatModel, prompts: PromptLibrary, label: @escaping @Sendable (Int) -> String? = { _ in nil },
         choose: (@Sendable ([String]) -> String)? = nil) {
        self.canned = canned
        self.prompts = prompts
        self.label = label
        self.choose = choose
    }

    func complete(_ request: ChatRequest) async throws -> ChatResponse {
        if request.messages.first?.content == ContrastiveConsistency.system, let choice = request.choices?.first {
            let score = try await ScriptedTestDoubleScorer().logProbability(request.messages, choice)
            return ChatResponse(text: choice, usage: TokenUsage(promptTokens: 50, completionTokens: 5), finishReason: "choice",
                                choiceLogProbs: [score ?? 0])
        }
        let module = canned.module(of: request)
        let user = request.messages.last?.content ?? ""
        if module == "label", let text = label(user.components(separatedBy: "Step: ").count - 1) {
            return ChatResponse(text: text, usage: TokenUsage(promptTokens: 50, completionTokens: 10))
        }
        if module == "rationale" && rationalesAlwaysWrong {
            return ChatResponse(text: "Output: In summary, the next action I will perform is ```click [999]```",
                                usage: TokenUsage(promptTokens: 400, completionTokens: 60))
        }
        if module == "choice", let choose, let choices = request.choices {
            return ChatResponse(text: choose(choices), usage: TokenUsage(promptTokens: 50, completionTokens: 3), finishReason: "choice")
        }
        return try await canned.complete(request)
    }
}
