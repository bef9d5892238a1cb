import Foundation
import LanguageModels
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
              maxTokens: Int = 384, choices: [String]? = nil, seed: UInt64) async throws -> ChatResponse {
        let options = GenerationOptions(temperature: temperature, topP: temperature > 0 ? config.policyTopP : 1,
                                        maxTokens: maxTokens, seed: seed)
        let request = ChatRequest(messages: messages, options: options, choices: choices)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let hash = TextMeasures.hex(TextMeasures.fnv1a(String(decoding: try encoder.encode(request), as: UTF8.self)))
        let clock = ContinuousClock.now
        let response = try await model.complete(request)
        let elapsed = clock.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
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
    }

    func policyValues(_ input: PolicyInput) -> [String: String] {
        ["observation": observation(input.observation.text), "url": input.observation.url,
         "persona": input.persona.text, "trajectory": Self.describe(trajectory: input.summaries),
         "previous_action": input.previousAction, "max_actions": String(input.maxActions)]
    }

    /// The free-form policy answer (reasoning plus a fenced action).
    public func policy(_ input: PolicyInput) async throws -> String {
        try await call(.policy, step: input.step, messages: prompts.explorationPolicy.messages(policyValues(input)),
                       temperature: config.policyTemperature, maxTokens: config.policyMaxTokens, seed: input.seed).text
    }

    /// One of `candidates`, chosen by the model under the `choices` constraint.
    public func chooseAction(_ input: PolicyInput, candidates: [String]) async throws -> String {
        try await call(.policyChoice, step: input.step,
                       messages: prompts.explorationChoice.messages(policyValues(input)),
                       temperature: 0, maxTokens: 32, choices: candidates, seed: input.seed).text
    }

    // MARK: State-change summarizer

    public func summarizeChange(before: Observation, action: String, after: Observation, step: Int,
                                seed: UInt64) async throws -> (summary: String, raw: String) {
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

    public func judge(instruction: String, summaries: [String], previousSubtask: String?, step: Int,
                      seed: UInt64) async throws -> (score: ModuleOutputParsing.Score, raw: String) {
        let values = ["instruction": instruction, "trajectory": Self.describe(trajectory: summaries),
                      "previous_subtask": previousSubtask ?? "None"]
        let choices = judgeScoresChoices ? ["1", "2", "3", "4", "5"] : nil
        let raw = try await call(.judge, step: step, messages: prompts.judge.messages(values), temperature: config.judgeTemperature,
                                 choices: choices, seed: seed).text
        return (ModuleOutputParsing.score(raw), raw)
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
        let template = "Let's think step-by-step. To make progress on \"\(instruction)\" from this page, "
            + "I will act on it directly. In summary, the next action I will perform is ```\(action)```"
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
