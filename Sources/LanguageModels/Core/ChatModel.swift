import Foundation

/// One chat message in the OpenAI chat format.
public struct ChatMessage: Sendable, Codable, Hashable {
    public enum Role: String, Sendable, Codable, Hashable { case system, user, assistant }
    public var role: Role
    public var content: String
    public init(role: Role, content: String) { self.role = role; self.content = content }
    public static func system(_ text: String) -> ChatMessage { .init(role: .system, content: text) }
    public static func user(_ text: String) -> ChatMessage { .init(role: .user, content: text) }
    public static func assistant(_ text: String) -> ChatMessage { .init(role: .assistant, content: text) }
}

/// Sampling settings. `temperature == 0` means greedy and deterministic.
public struct GenerationOptions: Sendable, Codable, Hashable {
    public var temperature: Double
    public var topP: Double
    public var maxTokens: Int
    public var stop: [String]
    /// Seed for local sampling; remote servers may ignore it.
    public var seed: UInt64?

    public init(temperature: Double = 0, topP: Double = 1, maxTokens: Int = 384, stop: [String] = [], seed: UInt64? = nil) {
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
        self.stop = stop
        self.seed = seed
    }
}

public struct ChatRequest: Sendable, Codable, Hashable {
    public var messages: [ChatMessage]
    public var options: GenerationOptions
    /// When set, the answer must be exactly one of these strings. Backends that can score
    /// continuations (the local engine) pick the most likely one; others constrain or
    /// generate and then match. Small models need this to give usable labels and scores.
    public var choices: [String]?

    public init(messages: [ChatMessage], options: GenerationOptions = .init(), choices: [String]? = nil) {
        self.messages = messages
        self.options = options
        self.choices = choices
    }
}

public struct TokenUsage: Sendable, Codable, Hashable {
    public var promptTokens: Int
    public var completionTokens: Int
    public init(promptTokens: Int = 0, completionTokens: Int = 0) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }
    public var totalTokens: Int { promptTokens + completionTokens }
    public static func + (a: TokenUsage, b: TokenUsage) -> TokenUsage {
        .init(promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens)
    }
}

public struct ChatResponse: Sendable, Codable, Hashable {
    public var text: String
    public var usage: TokenUsage
    /// "stop", "length", "choice"...
    public var finishReason: String
    /// Whether the response came from the response cache rather than the model.
    public var cached: Bool
    /// Log-probability of each choice, when the request had `choices` and the backend scores.
    public var choiceLogProbs: [Double]?
    /// Where an in-process model spent the call, when it measured it (remote servers do not say).
    public var timing: ModelTiming?

    public init(text: String, usage: TokenUsage = .init(), finishReason: String = "stop", cached: Bool = false,
                choiceLogProbs: [Double]? = nil, timing: ModelTiming? = nil) {
        self.text = text
        self.usage = usage
        self.finishReason = finishReason
        self.cached = cached
        self.choiceLogProbs = choiceLogProbs
        self.timing = timing
    }
}

/// Seconds an in-process model spent on the prompt (prefill, including the part reused from its
/// prefix cache) and on producing the answer (decoding, or scoring the choices).
public struct ModelTiming: Sendable, Codable, Hashable {
    public var prefillSeconds: Double
    public var decodeSeconds: Double

    public init(prefillSeconds: Double = 0, decodeSeconds: Double = 0) {
        self.prefillSeconds = prefillSeconds
        self.decodeSeconds = decodeSeconds
    }

    public static func + (a: ModelTiming, b: ModelTiming) -> ModelTiming {
        ModelTiming(prefillSeconds: a.prefillSeconds + b.prefillSeconds, decodeSeconds: a.decodeSeconds + b.decodeSeconds)
    }
}

/// A chat language model: remote (OpenAI-compatible HTTP) or in-process.
public protocol ChatModel: Sendable {
    /// Stable identity of backend and model, e.g. "openai-compatible:gpt-4o-mini@https://api.openai.com/v1"
    /// or "local:SmolLM2-135M-Instruct.Q4_1.gguf#sha256prefix". It keys the response cache.
    var identifier: String { get }
    func complete(_ request: ChatRequest) async throws -> ChatResponse
}

public enum ChatModelError: Error, CustomStringConvertible, Sendable {
    case http(status: Int, body: String)
    case transport(String)
    case invalidResponse(String)
    case cacheMiss(key: String)
    case contextTooLong(tokens: Int, limit: Int)
    case unavailable(String)

    public var description: String {
        switch self {
        case .http(let s, let b): return "model server answered HTTP \(s): \(b.prefix(500))"
        case .transport(let m): return "could not reach the model server: \(m)"
        case .invalidResponse(let m): return "unreadable model response: \(m)"
        case .cacheMiss(let k): return "replay mode: no cached response for request \(k)"
        case .contextTooLong(let t, let l): return "prompt of \(t) tokens exceeds the model's context of \(l)"
        case .unavailable(let m): return "model unavailable: \(m)"
        }
    }
}
