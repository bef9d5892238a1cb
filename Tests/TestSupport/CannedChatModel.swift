import Foundation
import LanguageModels
import Pipeline

/// The one test double of a language model. It is not a language model: it answers with canned,
/// deterministic text derived from the request, so tests can assert exact results.
///
/// - `CannedChatModel(prompts:)` answers each NNetnav module (policy, state change, labeler, judge,
///   rationalizer, stop) recognised by its system prompt: a fixed walk over the page's links, labels
///   naming the pages seen, and judge scores that accept early prefixes, so a crawl always yields
///   demonstrations.
/// - `CannedChatModel()` echoes the last message followed by the call number (`"hello #1"`), after
///   an optional delay, for tests of caching and concurrency.
public final class CannedChatModel: ChatModel, @unchecked Sendable {
    public let identifier: String
    let prompts: PromptLibrary?
    private let delay: Double
    /// The judge's raw answer for (depth, instruction).
    let judge: @Sendable (Int, String) -> String
    /// Whether the rationalizer's first (temperature 0) answer names a wrong action at this step.
    let wrongFirstRationale: @Sendable (String) -> Bool
    /// Whether the policy answers without a fenced action at this depth (forces the constrained re-ask).
    let unparseablePolicy: @Sendable (Int) -> Bool
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    private var recorded: [ChatRequest] = []
    /// Replaces the policy's answer at a depth (nil keeps the link walk).
    public var policyOverride: (@Sendable (Int) -> String?)?
    /// Choice requests are answered with equal log-probabilities for every choice, as a scoring
    /// backend would (the text is still the first choice, the arg-max).
    public var scoresChoicesUniformly = false
    /// Throws CancellationError once this many calls were answered (simulates a kill mid-crawl).
    public var failAfter: Int?
    /// A canned judge: answers any request it returns text for (the WebArena and WebVoyager judges'
    /// tests script their verdicts this way); nil falls through to the double's usual answers.
    public var reply: (@Sendable (ChatRequest) -> String?)?

    /// The NNetnav-module double.
    public init(identifier: String = "canned:test-double", prompts: PromptLibrary,
                judge: @escaping @Sendable (Int, String) -> String = { depth, _ in depth < 12 ? "Thought: good progress.\nReward: 5" : "Thought: looping.\nReward: 2" },
                wrongFirstRationale: @escaping @Sendable (String) -> Bool = { _ in false },
                unparseablePolicy: @escaping @Sendable (Int) -> Bool = { _ in false }) {
        self.identifier = identifier
        self.prompts = prompts
        self.delay = 0
        self.judge = judge
        self.wrongFirstRationale = wrongFirstRationale
        self.unparseablePolicy = unparseablePolicy
    }

    /// The echo double.
    public init(identifier: String = "canned:echo", delay: Double = 0) {
        self.identifier = identifier
        self.prompts = nil
        self.delay = delay
        self.judge = { _, _ in "" }
        self.wrongFirstRationale = { _ in false }
        self.unparseablePolicy = { _ in false }
    }

    /// Calls answered so far, by module (`"echo"` for the echo double).
    public var callCounts: [String: Int] { lock.withLock { counts } }
    public var totalCalls: Int { lock.withLock { counts.values.reduce(0, +) } }
    /// The same as `totalCalls`.
    public var calls: Int { totalCalls }
    /// Every request, in arrival order.
    public var requests: [ChatRequest] { lock.withLock { recorded } }

    public func module(of request: ChatRequest) -> String {
        guard let prompts else { return "echo" }
        let system = request.messages.first?.content ?? ""
        let table: [(PromptTemplate, String)] = [
            (prompts.explorationPolicy, "policy"), (prompts.explorationChoice, "choice"), (prompts.stateChange, "state"),
            (prompts.trajectoryLabeler, "label"), (prompts.judge, "judge"), (prompts.actionRationalizer, "rationale"),
            (prompts.stopAction, "stop"),
        ]
        let openWeb = prompts.explorationPolicyOpenWeb.map { [($0, "policy")] } ?? []
        return (openWeb + table).first { Self.fills(template: $0.0.system, into: system) }?.1 ?? "unknown"
    }

    /// Whether `text` is `template` with its `{placeholders}` filled: the literal pieces appear in order.
    static func fills(template: String, into text: String) -> Bool {
        var rest = text[...]
        var pieces = template.components(separatedBy: "{").enumerated().map { i, piece in
            i == 0 ? piece : String(piece.drop { $0 != "}" }.dropFirst())
        }
        if pieces.allSatisfy(\.isEmpty) { return template == text }
        guard let first = pieces.first, rest.hasPrefix(first) else { return false }
        rest = rest.dropFirst(first.count)
        pieces.removeFirst()
        for piece in pieces where !piece.isEmpty {
            guard let range = rest.range(of: piece) else { return false }
            rest = rest[range.upperBound...]
        }
        return pieces.last.map { $0.isEmpty || text.hasSuffix($0) } ?? rest.isEmpty
    }

    public func complete(_ request: ChatRequest) async throws -> ChatResponse {
        let module = module(of: request)
        let total: Int = lock.withLock {
            counts[module, default: 0] += 1
            recorded.append(request)
            return counts.values.reduce(0, +)
        }
        if let failAfter, total > failAfter { throw CancellationError() }
        if delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay * 1e9)) }
        let user = request.messages.last?.content ?? ""
        if let text = reply?(request) {
            return ChatResponse(text: text, usage: TokenUsage(promptTokens: (user.utf8.count + 3) / 4, completionTokens: (text.utf8.count + 3) / 4))
        }
        if module == "echo" {
            return ChatResponse(text: "\(user) #\(total)", usage: TokenUsage(promptTokens: user.count, completionTokens: 3))
        }
        let text = answer(module: module, user: user, request: request)
        let logProbs = scoresChoicesUniformly ? request.choices.map { [Double](repeating: -1, count: $0.count) } : nil
        return ChatResponse(text: text, usage: TokenUsage(promptTokens: (user.utf8.count + 3) / 4,
                                                          completionTokens: (text.utf8.count + 3) / 4),
                            finishReason: request.choices == nil ? "stop" : "choice", choiceLogProbs: logProbs)
    }

    public static func section(_ name: String, in text: String) -> String {
        guard let r = text.range(of: name + "\n") else { return "" }
        return String(text[r.upperBound...])
    }

    static func title(in observation: String) -> String {
        guard let line = observation.split(separator: "\n").first(where: { $0.hasPrefix("Tab 0 (current): ") }) else { return "?" }
        return String(line.dropFirst("Tab 0 (current): ".count))
    }

    func answer(module: String, user: String, request: ChatRequest) -> String {
        let depth = user.components(separatedBy: "Step: ").count - 1
        switch module {
        case "policy":
            if let override = policyOverride?(depth) { return override }
            if unparseablePolicy(depth) { return "I am not sure what to do here." }
            // Follow the (depth mod links)-th link of the page: a fixed, page-dependent walk. A page
            // without links (a MiniWoB++ task) gets its buttons instead.
            let lines = user.split(separator: "\n")
            var links = lines.filter { $0.contains("] link '") }
            if links.isEmpty { links = lines.filter { $0.contains("] button '") } }
            guard !links.isEmpty else { return "In summary, the next action I will perform is ```go_back```" }
            let line = links[depth % links.count]
            let id = line.split(separator: "[")[1].split(separator: "]")[0]
            return "Let's think step-by-step. This person would look around. In summary, the next action I will perform is ```click [\(id)]```"
        case "choice":
            if let first = request.choices?.first { return first }
            // No constraint (a plain OpenAI-compatible server): pick from the list the prompt shows, if any.
            let listed = Self.section("POSSIBLE ACTIONS:", in: user).split(separator: "\n")
                .first { $0.hasPrefix("- ") }.map { String($0.dropFirst(2)) }
            return listed.map { "I would do this: ```\($0)```" } ?? "I am not sure what to do here."
        case "state":
            let final = Self.section("Final state:", in: user)
            return "Thought: compare the pages.\nState change: The page changed to \"\(Self.title(in: final))\" (checked at 10:30)."
        case "label":
            let titles = user.split(separator: "\n").compactMap { line -> String? in
                guard let r = line.range(of: "changed to \"") else { return nil }
                return String(line[r.upperBound...].prefix(while: { $0 != "\"" }))
            }
            return "Thought: the user browsed.\nInstruction: Open the \(titles.last ?? "home") page after visiting \(titles.count) pages"
        case "judge":
            if let choices = request.choices { return choices[3] }
            let instruction = Self.section("Instruction:", in: user).split(separator: "\n").first.map(String.init) ?? ""
            return judge(depth, instruction)
        case "rationale":
            let action = Self.section("Action:", in: user).trimmingCharacters(in: .whitespacesAndNewlines)
            if request.options.temperature == 0 && wrongFirstRationale(action) {
                return "Output: Let's think step-by-step. In summary, the next action I will perform is ```click [999]```"
            }
            return "Output: Let's think step-by-step. The objective needs this page: http://shop.test/x. "
                + "In summary, the next action I will perform is ```\(action)``` and then more."
        case "stop":
            let state = Self.section("observation:", in: user)
            return "Let's think step-by-step. In summary, the next action I will perform is ```stop [\(Self.title(in: state))]```"
        default:
            return "unrecognized request"
        }
    }
}
