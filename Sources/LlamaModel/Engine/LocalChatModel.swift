import Foundation
import LanguageModels
import NNetnavSupport

/// The in-process language model: a GGUF Llama, Qwen2 or Qwen3 model run by `LlamaEngine`, with its own
/// tokenizer and ChatML template. Requests run one at a time on a private serial queue (the
/// engine and its KV cache are single-threaded), off Swift's cooperative thread pool.
///
/// Requests with `choices` are answered by scoring: each choice (followed by the end-of-turn
/// token) is scored as a continuation of the prompt and the most likely one is returned.
public final class LocalChatModel: ChatModel, @unchecked Sendable {
    public let identifier: String
    public let engine: LlamaEngine
    public let tokenizer: BPETokenizer
    public let template: ChatTemplate
    /// Tokens that end a turn (`<|im_end|>`, `<|endoftext|>`, the file's eos).
    public let stopTokens: Set<Int>
    private let endOfTurn: Int?
    private let queue = DispatchQueue(label: "nnetnav.local-model")

    /// Loads a GGUF model file. `maxContext` caps each KV cache slot (memory grows with it);
    /// `decodeWeights` trades exactness of generated tokens for decode speed (see `LlamaEngine`);
    /// `cacheSlots` is how many prompt prefixes stay cached at once: six covers the explorer's roles
    /// (policy, constrained re-ask, state change, labeler, judge, rationalizer); slots fill lazily.
    public init(modelFile url: URL, maxContext: Int? = 4096, decodeWeights: LlamaEngine.DecodeWeights = .quantized,
                cacheSlots: Int = 6) throws {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ChatModelError.unavailable("no model file at \(url.path); run scripts/prerequisites.sh to fetch the default model")
        }
        let file = try GGUFFile(url: url)
        do {
            tokenizer = try BPETokenizer(gguf: file)
        } catch {
            throw ModelFileError.malformed(url.path, "tokenizer: \(error)")
        }
        template = ChatTemplate(gguf: file)
        engine = try LlamaEngine(gguf: file, maxContext: maxContext, decodeWeights: decodeWeights, cacheSlots: cacheSlots)
        // Token ids index the embedding rows, unchecked in the optimised engine.
        guard tokenizer.vocabularySize <= engine.config.vocabSize else {
            throw ModelFileError.malformed(url.path, "the tokenizer has \(tokenizer.vocabularySize) tokens but the model only \(engine.config.vocabSize) embedding rows")
        }
        endOfTurn = tokenizer.id(of: template.endToken)
        stopTokens = Set([endOfTurn, tokenizer.id(of: "<|endoftext|>"), tokenizer.eosID].compactMap { $0 })
        identifier = "local:\(url.lastPathComponent)#\(Self.contentHash(url))"
    }

    /// The embedded default model (`models/SmolLM2-135M-Instruct.Q4_1.gguf`).
    public static func embeddedDefault(layout: ProjectLayout = .current) throws -> LocalChatModel {
        try LocalChatModel(modelFile: layout.defaultModelFile)
    }

    public func complete(_ request: ChatRequest) async throws -> ChatResponse {
        try await runCancellable { flag in try self.completeNow(request, cancellation: flag) }
    }

    /// Streams text increments to `onText` while generating (used by `nnetnav chat`).
    public func complete(_ request: ChatRequest, onText: @escaping @Sendable (String) -> Void) async throws -> ChatResponse {
        try await runCancellable { flag in try self.completeNow(request, onText: onText, cancellation: flag) }
    }

    /// Runs on the model's queue; cancelling the calling task skips a request still waiting for the
    /// queue and stops one generating at its next token (`CancellationError`).
    private func runCancellable(_ body: @escaping @Sendable (GenerationCancellation) throws -> ChatResponse) async throws -> ChatResponse {
        let flag = GenerationCancellation()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                queue.async {
                    continuation.resume(with: Result {
                        if flag.isCancelled { throw CancellationError() }
                        return try body(flag)
                    })
                }
            }
        } onCancel: {
            flag.cancel()
        }
    }

    func completeNow(_ request: ChatRequest, onText: ((String) -> Void)? = nil,
                     cancellation: GenerationCancellation? = nil) throws -> ChatResponse {
        let prompt = tokenizer.encode(template.render(request.messages, addGenerationPrompt: true))
        guard prompt.count < engine.maxContext else {
            throw ChatModelError.contextTooLong(tokens: prompt.count, limit: engine.maxContext)
        }
        if let choices = request.choices, !choices.isEmpty {
            let candidates = choices.map { tokenizer.encode($0, allowSpecial: false) + (endOfTurn.map { [$0] } ?? []) }
            let longest = candidates.map(\.count).max() ?? 0
            guard prompt.count + longest <= engine.maxContext else {
                throw ChatModelError.contextTooLong(tokens: prompt.count + longest, limit: engine.maxContext)
            }
            // Prefilled first so its time is measured apart; the scoring below then finds the
            // whole prompt in the prefix cache.
            let started = ContinuousClock.now
            try engine.prefill(prompt)
            let prefilled = ContinuousClock.now
            let scores = try Self.sharedPrefixLogProbabilities(of: candidates, after: prompt, engine: engine)
            let best = scores.indices.max { scores[$0] < scores[$1] }!
            return ChatResponse(text: choices[best],
                                usage: TokenUsage(promptTokens: prompt.count, completionTokens: candidates[best].count),
                                finishReason: "choice", choiceLogProbs: scores,
                                timing: Self.timing(started, prefilled, ContinuousClock.now))
        }
        let started = ContinuousClock.now
        try engine.prefill(prompt)
        let prefilled = ContinuousClock.now
        let generation = try engine.generate(prompt: prompt, options: request.options, tokenizer: tokenizer,
                                             stopTokens: stopTokens, onText: onText,
                                             shouldStop: { cancellation?.isCancelled == true })
        return ChatResponse(text: template.visibleText(generation.text),
                            usage: TokenUsage(promptTokens: prompt.count, completionTokens: generation.tokens.count),
                            finishReason: generation.finishReason, timing: Self.timing(started, prefilled, ContinuousClock.now))
    }

    /// Log-probabilities of `continuations` after `prompt`, computing the tokens they all open with
    /// once instead of once per continuation: the policy's choices share a long opening ("Let's
    /// think step-by-step. In summary, the next action I will perform is ```") and differ only in
    /// the action. By the chain rule the result is the same as scoring each one whole.
    static func sharedPrefixLogProbabilities(of continuations: [[Int]], after prompt: [Int],
                                             engine: LlamaEngine) throws -> [Double] {
        guard continuations.count > 1, let first = continuations.first else {
            return try engine.batchedLogProbabilities(of: continuations, after: prompt)
        }
        var common = first.count
        for continuation in continuations.dropFirst() {
            common = min(common, zip(first, continuation).prefix { $0 == $1 }.count)
        }
        // Keep at least one token of each continuation apart, so each is scored after the shared part.
        common = min(common, (continuations.map(\.count).min() ?? 1) - 1)
        guard common > 1 else { return try engine.batchedLogProbabilities(of: continuations, after: prompt) }
        let shared = Array(first.prefix(common))
        let sharedScore = try engine.logProbabilities(of: [shared], after: prompt)[0]
        let rest = try engine.batchedLogProbabilities(of: continuations.map { Array($0.dropFirst(common)) }, after: prompt + shared)
        return rest.map { sharedScore + $0 }
    }

    static func timing(_ start: ContinuousClock.Instant, _ prefilled: ContinuousClock.Instant,
                       _ end: ContinuousClock.Instant) -> ModelTiming {
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        return ModelTiming(prefillSeconds: seconds(prefilled - start), decodeSeconds: seconds(end - prefilled))
    }

    /// First 12 hex digits of a 64-bit FNV-1a over the file's 8-byte words: the same bytes give
    /// the same identifier wherever the file is copied (it keys the response cache).
    static func contentHash(_ url: URL) -> String {
        guard let file = try? MappedFile(url: url) else { return "unreadable" }
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        let words = file.count / 8
        for i in 0..<words {
            hash = (hash ^ file.base.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) &* 0x0000_0100_0000_01B3
        }
        for i in words * 8 ..< file.count { hash = (hash ^ UInt64(file.base.load(fromByteOffset: i, as: UInt8.self))) &* 0x0000_0100_0000_01B3 }
        return String(String(hash, radix: 16).leftPadded(to: 16).prefix(12))
    }
}

private extension String {
    func leftPadded(to n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}

/// Set from another thread to stop a generation between tokens.
final class GenerationCancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    func cancel() { lock.withLock { cancelled = true } }
    var isCancelled: Bool { lock.withLock { cancelled } }
}
