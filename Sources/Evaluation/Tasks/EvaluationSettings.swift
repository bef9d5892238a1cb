import Foundation
import LanguageModels
import Pipeline

/// What makes one evaluation's results comparable: the policy (the model's identity, which for a
/// local model includes a digest of its weights), its prompt and budgets, the step limit and the
/// browser. Results in a folder are only resumed under the same settings; the task selection
/// (--limit, --seeds, task sets) may grow or shrink between runs, since every result is keyed
/// by its own task and seed (`EpisodeKey`).
public struct EvaluationSettings: Sendable, Codable, Hashable {
    /// Not compared: a title for reports.
    public var label: String
    /// "bundled-sites" or "miniwob".
    public var benchmark: String
    public var policy: String
    public var promptDigest: String
    public var sequenceTokens: Int
    public var answerTokens: Int
    public var temperature: Double
    public var constrainedFallback: Bool
    public var maxCandidates: Int
    /// Answer texts offered besides `stop []` (`PolicyAgent.maxAnswers`); nil in folders written before it was recorded.
    public var maxAnswers: Int?
    /// `free`, `choice` or `reasoned` (`PolicyDecoding`); nil in folders written before it existed, which were `free`.
    public var decoding: String?
    /// `ChoiceScoring`; nil in folders written before it existed, which were `joint`.
    public var choiceScoring: String?
    /// `AnswerReasoning` of the scored candidates; nil in folders written before it existed (`empty`).
    public var answerReasoning: String?
    /// The step limit; for MiniWoB++ the task set's own per-task limits apply when this is nil.
    public var maxSteps: Int?
    /// The early-stop rule; nil in folders written before it existed, which ran every episode to its limit.
    public var earlyStop: EarlyStop?
    public var browser: String

    public init(label: String, benchmark: String, agent: PolicyAgent, maxSteps: Int?, browser: String) {
        self.label = label
        self.benchmark = benchmark
        policy = agent.model.identifier
        let template = agent.prompt.template
        promptDigest = String(SHA256.hexDigest(template.name + "\u{0}" + template.system + "\u{0}" + template.user).prefix(16))
        sequenceTokens = agent.prompt.maxSequenceTokens
        answerTokens = agent.options.maxTokens
        temperature = agent.options.temperature
        constrainedFallback = agent.constrainedFallback
        maxCandidates = agent.maxCandidates
        maxAnswers = agent.maxAnswers
        decoding = agent.decoding.rawValue
        choiceScoring = agent.choiceScoring == .joint ? nil : agent.choiceScoring.rawValue
        answerReasoning = agent.answerReasoning == .empty ? nil : agent.answerReasoning.rawValue
        self.maxSteps = maxSteps
        earlyStop = agent.earlyStop
        self.browser = browser
    }

    /// Human-readable differences that make results under `other` incomparable with these.
    public func differences(from other: EvaluationSettings) -> [String] {
        var out: [String] = []
        func compare<T: Equatable>(_ name: String, _ a: T, _ b: T) {
            if a != b { out.append("\(name): \(b) in the folder, \(a) now") }
        }
        compare("benchmark", benchmark, other.benchmark)
        compare("policy", policy, other.policy)
        compare("policy prompt digest", promptDigest, other.promptDigest)
        compare("--max-sequence-tokens", sequenceTokens, other.sequenceTokens)
        compare("--max-answer-tokens", answerTokens, other.answerTokens)
        compare("temperature", temperature, other.temperature)
        compare("--constrained-fallback", constrainedFallback, other.constrainedFallback)
        compare("--max-candidates", maxCandidates, other.maxCandidates)
        compare("answer candidates", maxAnswers.map(String.init) ?? "not recorded", other.maxAnswers.map(String.init) ?? "not recorded")
        compare("--decoding", decoding ?? PolicyDecoding.free.rawValue, other.decoding ?? PolicyDecoding.free.rawValue)
        compare("--choice-scoring", choiceScoring ?? ChoiceScoring.joint.rawValue, other.choiceScoring ?? ChoiceScoring.joint.rawValue)
        compare("--answer-reasoning", answerReasoning ?? AnswerReasoning.empty.rawValue, other.answerReasoning ?? AnswerReasoning.empty.rawValue)
        compare("--max-steps", maxSteps.map(String.init) ?? "the task set's", other.maxSteps.map(String.init) ?? "the task set's")
        func rule(_ e: EarlyStop?) -> String {
            let e = e ?? .never
            return "after \(e.parsingFailures) unparseable / \(e.repeatedActions) repeated actions (0: never)"
        }
        compare("early stop", rule(earlyStop), rule(other.earlyStop))
        compare("--browser", browser, other.browser)
        return out
    }
}
