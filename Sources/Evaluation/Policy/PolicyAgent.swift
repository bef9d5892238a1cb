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
    /// With a choice among candidates scored by the model: each candidate's log-likelihood, in the
    /// order of `PolicyAgent.candidates(observation:objective:canGoBack:)`.
    public var choiceLogProbabilities: [Double]? = nil
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
    /// Most `stop [text]` answers offered besides `stop []` (texts of the window, in page order).
    public var maxAnswers = 12
    public var decoding: PolicyDecoding
    /// How the choice among candidates is read from their log-likelihoods (models that score them).
    public var choiceScoring = ChoiceScoring.joint
    /// What each scored candidate says before its action (`AnswerReasoning`): it must be what the
    /// policy was trained on.
    public var answerReasoning = AnswerReasoning.empty
    /// When a rollout gives up before its step limit (WebArena's rule by default).
    public var earlyStop = EarlyStop.webArena

    public init(model: any ChatModel, prompt: StudentPrompt,
                options: GenerationOptions = GenerationOptions(temperature: 0, maxTokens: 160),
                constrainedFallback: Bool = true, maxCandidates: Int = 24, decoding: PolicyDecoding = .free) {
        self.model = model
        self.prompt = prompt
        self.options = options
        self.constrainedFallback = constrainedFallback
        self.maxCandidates = maxCandidates
        self.decoding = decoding
    }

    public func decide(observation: Observation, objective: String, previousActions: [String],
                       canGoBack: Bool) async throws -> PolicyDecision {
        let step = StudentPrompt.Step(observation: observation.text, url: observation.url, objective: objective,
                                      previousActions: previousActions)
        guard let messages = prompt.messages(for: step) else {
            throw PolicyAgentError.promptOverBudget(maxSequenceTokens: prompt.maxSequenceTokens)
        }
        let candidates = candidates(observation: observation, objective: objective, canGoBack: canGoBack)
        if decoding == .choice, !candidates.isEmpty {
            return try await choose(among: candidates, observation: observation, step: step, messages: messages, after: nil)
        }
        if decoding == .reasoned, !candidates.isEmpty {
            var reasoningOptions = options
            reasoningOptions.stop.append(PolicyAnswerFormat.actionPhrase)
            let reasoning = try await model.complete(ChatRequest(messages: messages, options: reasoningOptions))
            return try await choose(among: candidates, observation: observation, step: step, messages: messages,
                                    after: reasoning, reasoned: PolicyAnswerFormat.reasoning(in: reasoning.text))
        }
        let response = try await model.complete(ChatRequest(messages: messages, options: options))
        let action = ActionParser.parse(response: response.text)
        let timing = response.cached ? nil : response.timing
        guard !action.isValid, constrainedFallback, !candidates.isEmpty else {
            return PolicyDecision(raw: response.text, action: action, constrained: false, usage: response.usage, timing: timing)
        }
        return try await choose(among: candidates, observation: observation, step: step, messages: messages, after: response)
    }

    /// The page's valid actions as the constrained decoder offers them: clicks, typing, scrolling,
    /// going back, then the ways to stop.
    public func candidates(observation: Observation, objective: String, canGoBack: Bool) -> [BrowserAction] {
        CandidateActions.enumerate(observation: observation, typing: .objective(objective), step: 0,
                                   canGoBack: canGoBack, limit: maxCandidates)
            + CandidateActions.stops(observation: observation, limit: maxAnswers)
    }

    /// The most likely of `candidates`, each offered as a whole answer in the trained format, so
    /// the fine-tuned policy scores what it learned; `free` is the unparseable answer before, if any,
    /// or with `reasoned` the policy's own reasoning, which then opens every candidate's answer.
    private func choose(among candidates: [BrowserAction], observation: Observation, step: StudentPrompt.Step,
                        messages: [ChatMessage], after free: ChatResponse?, reasoned: String? = nil) async throws -> PolicyDecision {
        let timing = free.flatMap { $0.cached ? nil : $0.timing }
        let freeText = free?.text ?? ""
        let freeUsage = free?.usage ?? TokenUsage()
        let choices = reasoned.map { reasoning in candidates.map { PolicyAnswerFormat.answer(reasoning: reasoning, action: $0) } }
            ?? PolicyAnswerFormat.choices(for: candidates, reasoning: answerReasoning, observation: observation.text)
        let picked = try await model.complete(ChatRequest(messages: messages, options: options, choices: choices))
        let pickedTiming = picked.cached ? nil : picked.timing
        let both = timing.map { t in pickedTiming.map { t + $0 } ?? t } ?? pickedTiming
        var pickedText = picked.text
        var usage = freeUsage + picked.usage
        if choiceScoring != .joint, var scores = picked.choiceLogProbs, scores.count == choices.count {
            if choiceScoring == .objectivePMI {
                // The same answers after the same page with no objective: what each scores for its words alone.
                var neutral = step
                neutral.objective = ""
                if let neutralMessages = prompt.messages(for: neutral) {
                    let prior = try await model.complete(ChatRequest(messages: neutralMessages, options: options, choices: choices))
                    usage = usage + prior.usage
                    if let priorScores = prior.choiceLogProbs, priorScores.count == scores.count {
                        scores = zip(scores, priorScores).map { $0 - $1 }
                    }
                }
            }
            if let index = choiceScoring.pick(logProbabilities: scores, verbs: candidates.map(\.verb)) {
                pickedText = choices[index]
            }
        }
        let chosen = choices.firstIndex(of: pickedText).map { candidates[$0] }
            ?? CandidateActions.match(pickedText, in: candidates)
        guard let chosen else {
            return PolicyDecision(raw: freeText + "\n[constrained answer named no candidate: \(picked.text.prefix(200))]",
                                  action: .invalid(raw: picked.text, reason: "the constrained answer named no candidate"),
                                  constrained: true, usage: usage, timing: both)
        }
        // With choice-only decoding the chosen answer is all the model "wrote"; reasoned, its reasoning and the choice.
        var decision = PolicyDecision(raw: free == nil || reasoned != nil ? pickedText : freeText, action: chosen,
                                      constrained: true, usage: usage, timing: both)
        if let scores = picked.choiceLogProbs, scores.count == candidates.count { decision.choiceLogProbabilities = scores }
        return decision
    }
}

public enum PolicyAgentError: Error, CustomStringConvertible, Sendable {
    case promptOverBudget(maxSequenceTokens: Int)

    public var description: String {
        switch self {
        case .promptOverBudget(let n):
            return "the student prompt leaves no room for the page within \(n) tokens; raise the sequence budget"
        }
    }
}
