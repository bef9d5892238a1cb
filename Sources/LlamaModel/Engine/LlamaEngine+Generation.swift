import Foundation
import LanguageModels

/// The result of `LlamaEngine.generate`.
public struct Generation: Sendable, Hashable {
    public var tokens: [Int]
    public var text: String
    /// "stop" (end token or stop string), "length" (max tokens or context full).
    public var finishReason: String
    public var promptTokens: Int
}

extension LlamaEngine {
    /// Makes a cache slot hold exactly `prompt`, reusing the longest cached prefix, and returns the
    /// logits after its last token. That slot becomes the active one.
    ///
    /// Slot choice: the slot sharing the longest prefix with `prompt` (ties: the least recently
    /// used), unless that prefix is shorter than `minimumReusedPrefix` tokens and than the prompt
    /// itself; then the least recently used slot (an empty one first), so a prompt of another role,
    /// which shares no more than the chat template's opening, does not overwrite this role's
    /// cached system prompt. Reused positions hold exactly what recomputing them would give, so
    /// the choice changes only speed, never logits.
    @discardableResult
    public func prefill(_ prompt: [Int]) throws -> [Float] {
        guard !prompt.isEmpty else { throw ModelFileError.malformed("prompt", "a prompt needs at least one token") }
        let shared = slots.map { $0.sharedPrefix(with: prompt) }
        let leastRecent = slots.indices.min { slots[$0].lastUse < slots[$1].lastUse }!
        let best = slots.indices.max { a, b in
            shared[a] != shared[b] ? shared[a] < shared[b] : slots[a].lastUse > slots[b].lastUse
        }!
        activeSlot = shared[best] >= min(Self.minimumReusedPrefix, prompt.count) ? best : leastRecent
        useCounter += 1
        slot.lastUse = useCounter
        var common = shared[activeSlot]
        if common == prompt.count && slot.tokens.count == common && !slot.lastLogits.isEmpty {
            lastPrefillReusedTokens = common
            return slot.lastLogits
        }
        // Recompute at least the last prompt token so its logits are fresh.
        common = min(common, prompt.count - 1)
        lastPrefillReusedTokens = common
        truncate(to: common)
        return try append(Array(prompt[common...]), logits: .last)
    }

    /// Shared prefixes shorter than this (in tokens) do not claim a slot: longer than the ChatML
    /// opening plus SmolLM2's default system prompt (about 20 tokens), far shorter than any
    /// role's own system prompt.
    public static let minimumReusedPrefix = 32

    /// Samples up to `options.maxTokens` tokens after `prompt`. Stops at any of `stopTokens`
    /// (not included in the text) or when the text contains a stop string (cut before it).
    /// `onText` receives text increments as they become valid UTF-8. `shouldStop` is asked before
    /// each token; when it answers true the generation throws `CancellationError` (a cancelled call).
    public func generate(prompt: [Int], options: GenerationOptions, tokenizer: BPETokenizer, stopTokens: Set<Int>,
                         onText: ((String) -> Void)? = nil, shouldStop: () -> Bool = { false }) throws -> Generation {
        var logits = try prefill(prompt)
        var sampler = Sampler(temperature: options.temperature, topP: options.topP, seed: options.seed)
        var generated: [Int] = []
        var emitted = 0
        var text = ""
        var finish = "length"
        let stops = options.stop.filter { !$0.isEmpty }
        while generated.count < options.maxTokens {
            if shouldStop() { throw CancellationError() }
            let next = logits.withUnsafeBufferPointer { sampler.sample($0) }
            if stopTokens.contains(next) { finish = "stop"; break }
            generated.append(next)
            let bytes = tokenizer.bytes(generated, skipSpecial: false)
            text = String(decoding: bytes, as: UTF8.self)
            if let cut = stops.compactMap({ text.range(of: $0)?.lowerBound }).min() {
                text = String(text[..<cut])
                finish = "stop"
                break
            }
            // Hold back a trailing incomplete UTF-8 sequence (shown as U+FFFD) and anything
            // that could still turn into a stop string.
            if let onText {
                var safe = text.unicodeScalars.count
                if text.unicodeScalars.last == "\u{FFFD}" { safe -= 1 }
                let holdBack = stops.map { $0.unicodeScalars.count - 1 }.max() ?? 0
                safe = max(emitted, safe - holdBack)
                if safe > emitted {
                    let scalars = Array(text.unicodeScalars)
                    onText(String(String.UnicodeScalarView(scalars[emitted..<safe])))
                    emitted = safe
                }
            }
            if cachedCount >= maxContext { break }
            logits = try append([next], logits: .last)
        }
        if let onText {
            let scalars = Array(text.unicodeScalars)
            if scalars.count > emitted { onText(String(String.UnicodeScalarView(scalars[emitted...]))) }
        }
        return Generation(tokens: generated, text: text, finishReason: finish, promptTokens: prompt.count)
    }

    /// Natural-log probability that the model continues `prompt` with exactly `continuation`.
    public func logProbability(of continuation: [Int], after prompt: [Int]) throws -> Double {
        try logProbabilities(of: [continuation], after: prompt)[0]
    }

    /// Log-probabilities of several continuations; the prompt is run once and its cache reused.
    public func logProbabilities(of continuations: [[Int]], after prompt: [Int]) throws -> [Double] {
        let promptLogits = try prefill(prompt)
        let base = cachedCount
        let v = config.vocabSize
        var results: [Double] = []
        for continuation in continuations {
            guard !continuation.isEmpty else { results.append(0); continue }
            var total = logSoftmax(promptLogits, 0, at: continuation[0])
            if continuation.count > 1 {
                let rows = try append(Array(continuation.dropLast()), logits: .all)
                for k in 1..<continuation.count { total += logSoftmax(rows, (k - 1) * v, at: continuation[k]) }
                truncate(to: base)
            }
            results.append(total)
        }
        lastLogits = promptLogits
        return results
    }

    func logSoftmax(_ logits: [Float], _ offset: Int, at index: Int) -> Double {
        let v = config.vocabSize
        var m = -Float.infinity
        for i in offset..<offset + v where logits[i] > m { m = logits[i] }
        var sum: Double = 0
        for i in offset..<offset + v { sum += Double(expf(logits[i] - m)) }
        return Double(logits[offset + index] - m) - log(sum)
    }
}
