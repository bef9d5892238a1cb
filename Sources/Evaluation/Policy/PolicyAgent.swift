import Foundation
import LanguageModels
import Pipeline
import WebBrowser

/// One decision of the policy: what the model wrote and the action taken.
public struct PolicyDecision: Sendable, Codable, Hashable {
    public var raw: String
    public var action: BrowserAction
    /// The free-form answer did not parse and the action was chosen among the page's valid
    /// actions by likelihood instead.
    public var constrained: Bool
    public var usage: TokenUsage
    /// What the in-process model measured of its calls (nil for remote or cached answers).
    public var timing: ModelTiming? = nil
}

/// A policy under evaluation: any `ChatModel` prompted with the student prompt.
///
/// Small models often write no well-formed action. With `constrainedFallback` such an answer is
/// not wasted: the model is asked again with the page's valid actions as `choices` and the most
/// likely one is taken (the local engine scores them; remote servers constrain or match). The
/// same decoding is applied to every policy compared, and the share of constrained steps is
/// reported, since it measures how well a model learned the action format.
public struct PolicyAgent: Sendable {
    public var model: any ChatModel
    public var prompt: StudentPrompt
    public var options: GenerationOptions
    public var constrainedFallback: Bool
    public var maxCandidates: Int

    public init(model: any ChatModel, prompt: StudentPrompt,
                options: GenerationOptions = GenerationOptions(temperature: 0, maxTokens: 160),
                constrainedFallback: Bool = true, maxCandidates: Int = 24) {
        self.model = model
        self.prompt = prompt
        self.options = options
        self.constrainedFallback = constrainedFallback
        self.maxCandidates = maxCandidates
    }

    public func decide(observation: Observation, objective: String, previousActions: [String],
                       canGoBack: Bool) async throws -> PolicyDecision {
        let messages = prompt.messages(observation: observation, objective: objective, previousActions: previousActions)
        let response = try await model.complete(ChatRequest(messages: messages, options: options))
        let action = ActionParser.parse(response: response.text)
        let timing = response.cached ? nil : response.timing
        guard !action.isValid, constrainedFallback else {
            return PolicyDecision(raw: response.text, action: action, constrained: false, usage: response.usage, timing: timing)
        }
        let candidates = Self.candidates(observation: observation, objective: objective, canGoBack: canGoBack,
                                         limit: maxCandidates)
        guard !candidates.isEmpty else {
            return PolicyDecision(raw: response.text, action: action, constrained: false, usage: response.usage, timing: timing)
        }
        let choices = candidates.map { "Let's think step-by-step. In summary, the next action I will perform is ```\($0)```" }
        let picked = try await model.complete(ChatRequest(messages: messages, options: options, choices: choices))
        let index = choices.firstIndex(of: picked.text) ?? 0
        let pickedTiming = picked.cached ? nil : picked.timing
        let both = timing.map { t in pickedTiming.map { t + $0 } ?? t } ?? pickedTiming
        return PolicyDecision(raw: response.text, action: candidates[index], constrained: true,
                              usage: response.usage + picked.usage, timing: both)
    }

    /// Valid actions on the page: clicks on named interactive elements, typing the objective's
    /// key phrase into text fields, scrolling and going back.
    static func candidates(observation: Observation, objective: String, canGoBack: Bool, limit: Int) -> [BrowserAction] {
        let clickable: Set<String> = ["link", "button", "menuitem", "tab", "checkbox", "radio", "option", "switch"]
        let typable: Set<String> = ["textbox", "searchbox", "combobox"]
        let phrase = keyPhrase(objective)
        var actions: [BrowserAction] = []
        var seen: Set<String> = []
        for element in CandidateActions.elements(in: observation.text) {
            if typable.contains(element.role) {
                actions.append(.type(id: element.id, text: phrase, pressEnter: true))
            } else if clickable.contains(element.role), !element.name.isEmpty,
                      seen.insert("\(element.role)|\(element.name)").inserted {
                actions.append(.click(id: element.id))
            }
        }
        var tail: [BrowserAction] = []
        if observation.viewportIndex + 1 < observation.viewportCount { tail.append(.scroll(.down)) }
        if canGoBack { tail.append(.goBack) }
        return Array(actions.prefix(max(0, limit - tail.count))) + tail
    }

    /// A quoted phrase of the objective if it has one ("search for 'desk lamp'"), else its last
    /// few content words.
    static func keyPhrase(_ objective: String) -> String {
        for quote in ["\"", "'", "“"] {
            let parts = objective.components(separatedBy: quote)
            if parts.count >= 3, !parts[1].trimmingCharacters(in: .whitespaces).isEmpty { return parts[1] }
        }
        let words = objective.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
            .filter { $0.count > 3 }
        return words.suffix(3).joined(separator: " ")
    }
}
