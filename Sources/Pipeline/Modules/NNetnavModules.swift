import Foundation
import LanguageModels
import NNetnavSupport
import WebBrowser

/// The six language-model roles of NNetnav over one `ChatModel`, with their prompts and parsers.
///
/// Every call goes through `call`, which reports a `ModelCallRecord` to `record` so the crawl
/// store holds every request hash, answer, token count and latency.
public struct NNetnavModules: Sendable {
    public let model: any ChatModel
    public let prompts: PromptLibrary
    public let config: ExplorationConfig
    public let record: @Sendable (ModelCallRecord) async throws -> Void

    public init(model: any ChatModel, prompts: PromptLibrary, config: ExplorationConfig,
                record: @escaping @Sendable (ModelCallRecord) async throws -> Void) {
        self.model = model
        self.prompts = prompts
        self.config = config
        self.record = record
    }

    /// Whether the judge answers by scoring the five choices (see `ExplorationConfig.judgeMode`).
    public var judgeScoresChoices: Bool {
        switch config.judgeMode {
        case .choices: true
        case .generate: false
        case .auto: isLocal
        }
    }

    /// The in-process engine identifies itself as "local:..."; it scores choices and needs lenient parsing.
    public var isLocal: Bool { model.identifier.hasPrefix("local") }

    func call(_ module: PipelineModule, step: Int, messages: [ChatMessage], temperature: Double,
              maxTokens: Int = 384, choices: [String]? = nil, stop: [String] = [], seed: UInt64) async throws -> ChatResponse {
        let options = GenerationOptions(temperature: temperature, topP: temperature > 0 ? config.policyTopP : 1,
                                        maxTokens: maxTokens, stop: stop, seed: seed)
        let request = ChatRequest(messages: messages, options: options, choices: choices)
        // The response cache's own key, so a store row joins the cache entry that answered it.
        let hash = ResponseCache.key(model: model.identifier, request: request)
        let clock = ContinuousClock.now
        let response = try await model.complete(request)
        let seconds = clock.duration(to: .now).seconds
        try await record(ModelCallRecord(module: module, step: step, requestHash: hash, response: response.text,
                                         promptTokens: response.usage.promptTokens,
                                         completionTokens: response.usage.completionTokens,
                                         latencySeconds: seconds, cached: response.cached))
        return response
    }

    func observation(_ text: String) -> String { TextMeasures.truncate(text, maxTokens: config.maxObservationTokens) }

    /// NNetnav's `convert_to_description`: "Step: i\n<summary>" blocks, or "None" before the first step.
    public static func describe(trajectory summaries: [String]) -> String {
        summaries.isEmpty ? "None"
            : summaries.enumerated().map { "Step: \($0.offset)\n\($0.element)" }.joined(separator: "\n\n")
    }

    // MARK: Exploration policy

    public struct PolicyInput: Sendable {
        public var observation: Observation
        public var persona: Persona
        public var summaries: [String]
        public var previousAction: String
        public var step: Int
        public var seed: UInt64
        /// The episode's action limit, which the prompt states (NNetnav's said 40 on WebArena, 20 on MiniWoB++).
        public var maxActions: Int = 40
        /// The episode's site; an open-web site (`openweb/<host>`) gets the open-web prompt variant.
        public var site: String = ""
    }

    func policyValues(_ input: PolicyInput) -> [String: String] {
        ["observation": observation(input.observation.text), "url": input.observation.url,
         "persona": input.persona.text, "trajectory": Self.describe(trajectory: input.summaries),
         "previous_action": input.previousAction, "max_actions": String(input.maxActions)]
    }

    /// The free-form policy answer (reasoning plus a fenced action).
    public func policy(_ input: PolicyInput) async throws -> String {
        try await call(.policy, step: input.step, messages: prompts.explorationPolicy(site: input.site).messages(policyValues(input)),
                       temperature: config.policyTemperature, maxTokens: config.policyMaxTokens, seed: input.seed).text
    }

    /// The constrained re-ask's result: a candidate, or an answer that names none (recorded, never fatal).
    public enum CandidateChoice: Sendable, Hashable {
        case chosen(BrowserAction, raw: String)
        case unmatched(raw: String, reason: String)
    }

    /// One of `candidates`, chosen by the model under the `choices` constraint with the list in the
    /// prompt too (a server without guided choice sees it). A model that scores the choices (the
    /// local engine) has its action sampled from their likelihoods at the policy temperature, as a
    /// free-form answer would be; an answer off the list is an `unmatched` value, not an error.
    public func chooseAction(_ input: PolicyInput, candidates: [BrowserAction]) async throws -> CandidateChoice {
        var values = policyValues(input)
        values["candidates"] = CandidateActions.promptList(candidates)
        let choices = candidates.map(\.description)
        let response: ChatResponse
        do {
            response = try await call(.policyChoice, step: input.step, messages: prompts.explorationChoice.messages(values),
                                      temperature: 0, maxTokens: 32, choices: choices, seed: input.seed)
        } catch let error as ChatModelError {
            // A server that cannot constrain answered off the list: the call is recorded, the step goes on.
            guard case .invalidResponse(let detail) = error else { throw error }
            try await record(ModelCallRecord(module: .policyChoice, step: input.step, requestHash: "",
                                             response: "error: \(detail)", promptTokens: 0, completionTokens: 0,
                                             latencySeconds: 0, cached: false))
            return .unmatched(raw: "", reason: "the answer matched no candidate: \(detail)")
        }
        if let logProbs = response.choiceLogProbs, logProbs.count == candidates.count, config.policyTemperature > 0 {
            let index = Self.sample(logProbs: logProbs, temperature: config.policyTemperature, seed: input.seed)
            return .chosen(candidates[index], raw: response.text)
        }
        guard let action = CandidateActions.match(response.text, in: candidates) else {
            return .unmatched(raw: response.text, reason: "the answer \"\(response.text.prefix(200))\" names no candidate action")
        }
        return .chosen(action, raw: response.text)
    }

    /// Draws an index with probability proportional to exp(logProb / temperature), from a seeded generator.
    public static func sample(logProbs: [Double], temperature: Double, seed: UInt64) -> Int {
        let scaled = logProbs.map { $0 / max(temperature, 1e-6) }
        let top = scaled.max() ?? 0
        let weights = scaled.map { exp($0 - top) }
        var generator = SplitMix64(seed: seed)
        var draw = Double(generator.next() >> 11) / Double(1 << 53) * weights.reduce(0, +)
        for (index, weight) in weights.enumerated() {
            draw -= weight
            if draw < 0 { return index }
        }
        return weights.count - 1
    }

    // MARK: State-change summarizer

    public func summarizeChange(before: Observation, action: String, after: Observation, step: Int,
                                seed: UInt64) async throws -> (summary: String, raw: String) {
        if config.groundedLabels {
            let summary = ObservedChange.describe(action: action, beforeURL: before.url, beforeText: before.text,
                                                  afterURL: after.url, afterText: after.text, error: after.error)
            return (summary, ObservedChange.rawMarker)
        }
        let values = ["init_observation": observation(before.text), "final_observation": observation(after.text),
                      "action": action]
        let raw = try await call(.stateChange, step: step, messages: prompts.stateChange.messages(values),
                                 temperature: config.moduleTemperature, maxTokens: config.moduleMaxTokens, seed: seed).text
        return (ModuleOutputParsing.stateChange(raw).summary, raw)
    }

    // MARK: Labeler and judge

    public func label(summaries: [String], step: Int, seed: UInt64) async throws -> (label: ModuleOutputParsing.Label, raw: String) {
        let values = ["trajectory": Self.describe(trajectory: summaries)]
        let raw = try await call(.labeler, step: step, messages: prompts.trajectoryLabeler.messages(values),
                                 temperature: config.moduleTemperature, maxTokens: config.moduleMaxTokens, seed: seed).text
        return (ModuleOutputParsing.label(raw, maxWords: config.maxInstructionWords,
                                          acceptUntagged: config.acceptUntaggedLabels ?? isLocal,
                                          siteInstructionsOnly: config.instructionFilter), raw)
    }

    /// The teacher's pick among the prefix's hindsight instructions, by likelihood after the labeler
    /// prompt, sampled at the labeler's temperature so an episode's labels vary as free-form ones do.
    /// The choice is written as "Instruction: …" so the raw answer reads like a free-form label.
    public func groundedLabel(pages: [GroundedInstructions.Page], summaries: [String], step: Int,
                              seed: UInt64) async throws -> (label: ModuleOutputParsing.Label, raw: String) {
        let candidates = GroundedInstructions.offered(pages, actionLabels: config.actionLabels)
        guard !candidates.isEmpty else {
            return (.unusable(reason: "no grounded instruction: the prefix reached no new fact, search or page"), "")
        }
        let choices = candidates.map { "Instruction: \($0.text)" }
        let values = ["trajectory": Self.describe(trajectory: summaries)]
        let response = try await call(.labeler, step: step, messages: prompts.trajectoryLabeler.messages(values),
                                      temperature: 0, maxTokens: 64, choices: choices, seed: seed)
        var index = choices.firstIndex(of: response.text) ?? 0
        var rates: [Double]?
        if let logProbs = response.choiceLogProbs, logProbs.count == choices.count {
            // A sum of token log-probabilities favours the shortest candidate whatever it says; compare
            // rates per byte instead (lm-evaluation-harness's acc_norm), scaled back to a typical length.
            let lengths = choices.map { Double(max(1, $0.utf8.count)) }
            let mean = lengths.reduce(0, +) / Double(lengths.count)
            let normalized = zip(logProbs, lengths).map { $0 / $1 * mean }
            rates = normalized
            index = config.moduleTemperature > 0
                ? Self.sample(logProbs: normalized, temperature: config.moduleTemperature, seed: seed)
                : normalized.indices.max { normalized[$0] < normalized[$1] }!
        }
        // The raw answer keeps what the teacher chose among, for the store and the viewer.
        let offered = candidates.indices.map { i in
            "- [\(candidates[i].kind.rawValue)] \(candidates[i].text)" + (rates.map { String(format: " (%.2f)", $0[i]) } ?? "")
        }
        return (.instruction(candidates[index].text),
                choices[index] + "\n\nChosen among (normalized log-likelihood):\n" + offered.joined(separator: "\n"))
    }

    public func judge(instruction: String, summaries: [String], previousSubtask: String?, step: Int,
                      seed: UInt64) async throws -> (score: ModuleOutputParsing.Score, raw: String) {
        let values = ["instruction": instruction, "trajectory": Self.describe(trajectory: summaries),
                      "previous_subtask": previousSubtask ?? "None"]
        let messages = prompts.judge.messages(values)
        guard judgeScoresChoices else {
            let raw = try await call(.judge, step: step, messages: messages, temperature: config.judgeTemperature,
                                     seed: seed).text
            return (ModuleOutputParsing.score(raw), raw)
        }
        // The prompt asks for a thought before the score: the model writes it, then the score is read
        // by likelihood as its continuation ("…\nReward: 1" … "…\nReward: 5"), so it is always readable.
        let written = try await call(.judge, step: step, messages: messages, temperature: config.judgeTemperature,
                                     maxTokens: config.moduleMaxTokens, stop: ["Reward:"], seed: seed).text
        let thought = Self.judgeThought(written)
        let choices = (1...5).map { "\(thought)\nReward: \($0)" }
        let raw = try await call(.judge, step: step, messages: messages, temperature: 0, maxTokens: 8,
                                 choices: choices, seed: seed).text
        return (ModuleOutputParsing.score(raw), raw)
    }

    /// The judge's written reasoning as one "Thought: …" paragraph, cut before any score it wrote.
    static func judgeThought(_ written: String) -> String {
        var text = written
        if let reward = text.range(of: "Reward", options: .caseInsensitive) { text = String(text[..<reward.lowerBound]) }
        text = ModuleOutputParsing.singleParagraph(text)
        if let tag = text.range(of: "Thought:", options: .caseInsensitive) { text = String(text[tag.upperBound...]) }
        text = text.trimmingCharacters(in: .whitespaces)
        return "Thought: " + (text.isEmpty ? "The trajectory is judged against the instruction." : text)
    }

    // MARK: Post-processing

    /// Reasoning that ends in `action`; regenerated up to `rationaleAttempts` times when it names
    /// another action, then a template that still ends in the executed action.
    public func rationalize(instruction: String, url: String, observation obs: String, previousActions: String,
                            action: BrowserAction, step: Int, seed: UInt64) async throws -> Rationalization {
        let values = ["instruction": instruction, "url": url, "observation": observation(obs),
                      "previous_actions": previousActions, "action": action.description]
        var rejections: [String] = []
        for attempt in 0..<max(0, config.rationaleAttempts) {
            // Retries must differ from the first answer: sample them.
            let temperature = attempt == 0 ? config.postprocessTemperature : max(config.postprocessTemperature, 0.7)
            let raw = try await call(.rationalizer, step: step, messages: prompts.actionRationalizer.messages(values),
                                     temperature: temperature, maxTokens: config.postprocessMaxTokens,
                                     seed: seed &+ UInt64(attempt)).text
            switch ModuleOutputParsing.rationale(raw, executed: action) {
            case .matches(let text): return Rationalization(text: text, attempts: attempt + 1, usedTemplate: false, rejections: rejections)
            case .rejected(let reason): rejections.append(reason)
            }
        }
        // The template names no element. Naming it ("… I will click the link 'Electronics'.") was measured in
        // session 16: the student, reasoning before it acts, then named its training pages' elements on
        // held-out pages and put 3.5 nats a step less on the reference actions (23 of 24 tasks lower).
        let template = PolicyAnswerFormat.answer(
            reasoning: "To make progress on \"\(instruction)\" from this page, I will act on it directly.", action: action)
        return Rationalization(text: template, attempts: rejections.count, usedTemplate: true, rejections: rejections)
    }

    public func stopAction(instruction: String, url: String, observation obs: String, step: Int,
                           seed: UInt64) async throws -> (action: BrowserAction, raw: String, parsed: Bool) {
        let values = ["instruction": instruction, "url": url, "observation": observation(obs)]
        let raw = try await call(.stopAction, step: step, messages: prompts.stopAction.messages(values),
                                 temperature: config.postprocessTemperature, maxTokens: config.postprocessMaxTokens,
                                 seed: seed).text
        let parsed = ModuleOutputParsing.stopAction(raw)
        return (parsed.action, raw, parsed.parsed)
    }
}

/// The reasoning target of one demonstration step.
public struct Rationalization: Sendable, Hashable, Codable {
    public var text: String
    public var attempts: Int
    /// True when every model attempt named another action and the template was used.
    public var usedTemplate: Bool
    public var rejections: [String]
}
