import Foundation
import TestSupport
import Testing
import LanguageModels
@testable import LlamaModel

@Suite struct EngineTests {
    static let tokens = [5, 17, 260, 42, 99, 3, 250, 1, 77, 120, 8]

    func maxDifference(_ a: [Float], _ b: [Double]) -> Double {
        zip(a, b).map { abs(Double($0) - $1) }.max() ?? .infinity
    }

    @Test func forwardMatchesNaiveReference() throws {
        let weights = TinyModel.weights()
        let engine = try LlamaEngine(weights: weights)
        let logits = try engine.append(Self.tokens, logits: .all)
        let reference = NaiveLlama.logits(weights, Self.tokens)
        let v = weights.config.vocabSize
        for (i, row) in reference.enumerated() {
            let diff = maxDifference(Array(logits[i * v ..< (i + 1) * v]), row)
            #expect(diff < 1e-3, "position \(i): max |Δ| \(diff)")
        }
    }

    @Test func cachedDecodeEqualsFullRecompute() throws {
        let engine = try LlamaEngine(weights: TinyModel.weights())
        let full = try engine.append(Self.tokens, logits: .all)
        let v = engine.config.vocabSize
        engine.reset()
        // Prefill half, then one token at a time (the sgemv path), then a 2-token batch.
        try engine.append(Array(Self.tokens[..<5]))
        var rows: [Float] = []
        for t in Self.tokens[5..<9] { rows += try engine.append([t]) }
        rows += try engine.append(Array(Self.tokens[9...]), logits: .all)
        let expected = Array(full[(5 * v)...])
        let diff = zip(rows, expected).map { abs($0 - $1) }.max()!
        #expect(rows.count == expected.count)
        #expect(diff < 1e-4, "max |Δ| \(diff)")
        #expect(engine.cachedTokens == Self.tokens)
    }

    @Test func blockedPrefillEqualsTokenByTokenDecode() throws {
        // 120 tokens span two 64-row attention blocks after a cached prefix.
        var rng = SeededGenerator(seed: 3)
        let tokens = (0..<120).map { _ in Int(rng.next() % 300) }
        let engine = try LlamaEngine(weights: TinyModel.weights())
        try engine.append(Array(tokens[..<10]))
        let batched = try engine.append(Array(tokens[10...]), logits: .all)
        engine.reset()
        var stepwise: [Float] = []
        try engine.append(Array(tokens[..<10]))
        for t in tokens[10...] { stepwise += try engine.append([t]) }
        let diff = zip(batched, stepwise).map { abs($0 - $1) }.max()!
        #expect(batched.count == stepwise.count)
        #expect(diff < 1e-3, "max |Δ| \(diff)")
    }

    @Test func bf16DecodeStaysCloseToFloatDecode() throws {
        let exact = try LlamaEngine(weights: TinyModel.weights())
        let compact = try LlamaEngine(weights: TinyModel.weights(), decodeWeights: .bf16)
        try exact.append(Array(Self.tokens.dropLast())); try compact.append(Array(Self.tokens.dropLast()))
        let a = try exact.append([Self.tokens.last!]), b = try compact.append([Self.tokens.last!])
        let diff = zip(a, b).map { abs($0 - $1) }.max()!
        #expect(diff < 0.05, "bf16 vs fp32 decode max |Δ| \(diff)")
        #expect(diff > 0, "the bf16 path did not run")
    }

    @Test func quantisedGGUFLoadsCloseToFloatWeights() throws {
        let url = try TinyModel.writeGGUF(type: .q8_0)
        defer { try? FileManager.default.removeItem(at: url) }
        let quantised = try LlamaEngine(gguf: GGUFFile(url: url))
        let exact = try LlamaEngine(weights: TinyModel.weights())
        let a = try quantised.append(Self.tokens), b = try exact.append(Self.tokens)
        let diff = zip(a, b).map { abs($0 - $1) }.max()!
        #expect(diff < 0.1, "Q8_0 vs F32 max |Δ| \(diff)")
    }

    @Test func scoringEqualsSumOfTokenLogProbabilities() throws {
        let weights = TinyModel.weights()
        let engine = try LlamaEngine(weights: weights)
        let prompt = Array(Self.tokens[..<6])
        let continuations = [Array(Self.tokens[6...]), [12], [12, 13, 14]]
        let scores = try engine.logProbabilities(of: continuations, after: prompt)
        for (continuation, score) in zip(continuations, scores) {
            let expected = NaiveLlama.continuationLogProbability(weights, prompt: prompt, continuation: continuation)
            #expect(abs(score - expected) < 1e-3, "\(continuation): \(score) vs \(expected)")
        }
        // The cache is back to the prompt and a repeat gives the same numbers.
        #expect(engine.cachedTokens == prompt)
        #expect(try engine.logProbability(of: [12, 13, 14], after: prompt) == scores[2])
    }

    @Test func greedyAndSeededSamplingAreReproducible() throws {
        let engine = try LlamaEngine(weights: TinyModel.weights())
        let tok = try TinyModel.tokenizer()
        let prompt = tok.encode("<|im_start|>user\nhello world<|im_end|>\n")
        let greedy = GenerationOptions(temperature: 0, maxTokens: 12)
        let g1 = try engine.generate(prompt: prompt, options: greedy, tokenizer: tok, stopTokens: [])
        let g2 = try engine.generate(prompt: prompt, options: greedy, tokenizer: tok, stopTokens: [])
        #expect(g1.tokens.count == 12 && g1.finishReason == "length")
        #expect(g1.tokens == g2.tokens)
        // Greedy picks the argmax of the reference logits at each step.
        let reference = NaiveLlama.logits(TinyModel.weights(), prompt + g1.tokens.dropLast())
        for (k, t) in g1.tokens.enumerated() {
            let row = reference[prompt.count - 1 + k]
            #expect(row[t] >= row.max()! - 1e-4)
        }

        let sampled = GenerationOptions(temperature: 1.0, topP: 0.9, maxTokens: 16, seed: 42)
        let s1 = try engine.generate(prompt: prompt, options: sampled, tokenizer: tok, stopTokens: [])
        let s2 = try engine.generate(prompt: prompt, options: sampled, tokenizer: tok, stopTokens: [])
        var other = sampled; other.seed = 43
        let s3 = try engine.generate(prompt: prompt, options: other, tokenizer: tok, stopTokens: [])
        #expect(s1.tokens == s2.tokens)
        #expect(s1.tokens != s3.tokens)
    }

    @Test func stopTokensAndStopStringsEndGeneration() throws {
        let engine = try LlamaEngine(weights: TinyModel.weights())
        let tok = try TinyModel.tokenizer()
        let prompt = tok.encode("hello")
        let free = try engine.generate(prompt: prompt, options: .init(maxTokens: 8), tokenizer: tok, stopTokens: [])
        let first = free.tokens[0]
        let stopped = try engine.generate(prompt: prompt, options: .init(maxTokens: 8), tokenizer: tok, stopTokens: [first])
        #expect(stopped.tokens.isEmpty && stopped.finishReason == "stop")
        let stopText = String(free.text.unicodeScalars.prefix(3).suffix(1))
        guard !stopText.isEmpty, stopText != "\u{FFFD}" else { return }
        let cut = try engine.generate(prompt: prompt, options: .init(maxTokens: 8, stop: [stopText]), tokenizer: tok, stopTokens: [])
        #expect(!cut.text.contains(stopText))
        #expect(cut.finishReason == "stop")
    }

    @Test func contextLimitIsAnErrorNotACrash() throws {
        let engine = try LlamaEngine(weights: TinyModel.weights(), maxContext: 8)
        #expect(throws: ChatModelError.self) { try engine.append(Self.tokens) }
        #expect(engine.cachedTokens.isEmpty)
        #expect(throws: (any Error).self) { try engine.append([5000]) }
    }

    @Test func localChatModelAnswersChoicesByScoring() async throws {
        let url = try TinyModel.writeGGUF()
        defer { try? FileManager.default.removeItem(at: url) }
        let model = try LocalChatModel(modelFile: url, maxContext: 128)
        #expect(model.identifier.hasPrefix("local:"))
        #expect(model.identifier.split(separator: "#").last?.count == 12)
        let request = ChatRequest(messages: [.user("hello")], choices: ["yes", "no", "maybe"])
        let response = try await model.complete(request)
        let scores = try #require(response.choiceLogProbs)
        #expect(scores.count == 3)
        #expect(response.text == ["yes", "no", "maybe"][scores.indices.max { scores[$0] < scores[$1] }!])
        #expect(response.finishReason == "choice")
        #expect(response.usage.promptTokens > 0)

        let generated = try await model.complete(ChatRequest(messages: [.user("hello")], options: .init(maxTokens: 5)))
        #expect(generated.usage.completionTokens <= 5)
        let long = ChatRequest(messages: [.user(String(repeating: "hello ", count: 100))])
        await #expect(throws: ChatModelError.self) { try await model.complete(long) }
    }
}
