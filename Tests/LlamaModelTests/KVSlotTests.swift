import Foundation
import Testing
import LanguageModels
@testable import LlamaModel

/// The multi-slot prefix cache: prompts of three roles, each opening with its own static prefix,
/// arrive interleaved; each role must keep its own slot.
///
/// Exactness: reusing a cached prefix was never bit-identical to recomputing it (OpenBLAS rounds a
/// row differently when the batch around it has another size: |Δ| ~1e-6 here, ~3e-5 on SmolLM2
/// logits). So the shared engine must equal, bit for bit, a single-slot engine that saw only
/// that role's prompts (the same reuse), and a from-scratch forward within that rounding.
@Suite struct KVSlotTests {
    /// Role r's prompt for call k: a 40-token prefix fixed per role, then 15 tokens varying per call.
    static func prompt(role: Int, call: Int) -> [Int] {
        var prefixRNG = SeededGenerator(seed: 100 + UInt64(role))
        var variableRNG = SeededGenerator(seed: 1_000 + UInt64(role * 100 + call))
        // Distinct first tokens, so roles share nothing by chance.
        let prefix = [10 + role] + (0..<39).map { _ in Int(prefixRNG.next() % 250) }
        return prefix + (0..<15).map { _ in Int(variableRNG.next() % 250) }
    }
    static let calls = (0..<9).map { (role: $0 % 3, call: $0 / 3) }

    @Test func interleavedRolesKeepTheirSlotsAndExactLogits() throws {
        let weights = TinyModel.weights()
        let engine = try LlamaEngine(weights: weights)
        // A single-slot engine per role sees exactly the reuse the shared engine should give it.
        let perRole = try (0..<3).map { _ in try LlamaEngine(weights: weights, cacheSlots: 1) }
        for (i, c) in Self.calls.enumerated() {
            let prompt = Self.prompt(role: c.role, call: c.call)
            let logits = try engine.prefill(prompt)
            #expect(engine.activeSlot == c.role, "call \(i): role \(c.role) went to slot \(engine.activeSlot)")
            #expect(engine.lastPrefillReusedTokens == (c.call == 0 ? 0 : 40), "call \(i)")
            #expect(engine.cachedTokens == prompt)
            #expect(logits == (try perRole[c.role].prefill(prompt)), "call \(i): differs from the role's own engine")
            let fresh = try LlamaEngine(weights: weights, cacheSlots: 1).append(prompt)
            let diff = zip(logits, fresh).map { abs($0 - $1) }.max()!
            #expect(diff < 1e-5, "call \(i): max |Δ| \(diff) against a from-scratch forward")
        }
    }

    @Test func oneSlotRecomputesEveryRoleSwitch() throws {
        let engine = try LlamaEngine(weights: TinyModel.weights(), cacheSlots: 1)
        for c in Self.calls {
            try engine.prefill(Self.prompt(role: c.role, call: c.call))
            #expect(engine.activeSlot == 0 && engine.lastPrefillReusedTokens == 0)
        }
    }

    @Test func fourthRoleEvictsTheLeastRecentlyUsedSlot() throws {
        let engine = try LlamaEngine(weights: TinyModel.weights(), cacheSlots: 3)
        for role in [0, 1, 2, 0] { try engine.prefill(Self.prompt(role: role, call: 0)) }
        // Role 1's slot is the least recently used; role 3 takes it, roles 0 and 2 stay cached.
        try engine.prefill(Self.prompt(role: 3, call: 0))
        #expect(engine.activeSlot == 1 && engine.lastPrefillReusedTokens == 0)
        try engine.prefill(Self.prompt(role: 2, call: 1))
        #expect(engine.activeSlot == 2 && engine.lastPrefillReusedTokens == 40)
        try engine.prefill(Self.prompt(role: 0, call: 1))
        #expect(engine.activeSlot == 0 && engine.lastPrefillReusedTokens == 40)
        try engine.prefill(Self.prompt(role: 1, call: 1))
        #expect(engine.lastPrefillReusedTokens == 0, "role 1 was evicted")
    }

    @Test func shortPromptsStillReuseTheirOwnSlot() throws {
        // Shorter than `minimumReusedPrefix`, a repeated prompt is still found whole.
        let engine = try LlamaEngine(weights: TinyModel.weights())
        let short = [5, 17, 260, 42, 99]
        let first = try engine.prefill(short)
        try engine.prefill(Self.prompt(role: 0, call: 0))
        #expect(try engine.prefill(short) == first)
        #expect(engine.activeSlot == 0 && engine.lastPrefillReusedTokens == short.count)
    }

    @Test func scoringAndGenerationMatchAFreshEngineWhenInterleaved() throws {
        let weights = TinyModel.weights()
        let tok = try TinyModel.tokenizer()
        let engine = try LlamaEngine(weights: weights)
        let perRole = try (0..<3).map { _ in try LlamaEngine(weights: weights, cacheSlots: 1) }
        let options = GenerationOptions(temperature: 0, maxTokens: 10)
        let continuations = [[12, 13], [7]]
        for c in Self.calls {
            let prompt = Self.prompt(role: c.role, call: c.call)
            let generated = try engine.generate(prompt: prompt, options: options, tokenizer: tok, stopTokens: [])
            let own = try perRole[c.role].generate(prompt: prompt, options: options, tokenizer: tok, stopTokens: [])
            let fresh = try LlamaEngine(weights: weights, cacheSlots: 1).generate(prompt: prompt, options: options, tokenizer: tok, stopTokens: [])
            #expect(generated.tokens == own.tokens && generated.tokens == fresh.tokens)
            let scores = try engine.logProbabilities(of: continuations, after: prompt)
            #expect(scores == (try perRole[c.role].logProbabilities(of: continuations, after: prompt)))
            let freshScores = try LlamaEngine(weights: weights, cacheSlots: 1).logProbabilities(of: continuations, after: prompt)
            #expect(zip(scores, freshScores).allSatisfy { abs($0 - $1) < 1e-5 }, "\(scores) vs \(freshScores)")
        }
    }

    @Test func zeroSlotsIsAClearError() {
        #expect(throws: ModelFileError.self) { try LlamaEngine(weights: TinyModel.weights(), cacheSlots: 0) }
    }

    /// The same on SmolLM2-135M with the pipeline's real system prompts. One single-slot engine
    /// replays each role's reuse (its previous prompt, then this one) to stay within memory.
    @Test(.enabled(if: TestFiles.smolLM2 != nil, "models/SmolLM2-135M-Instruct.Q4_1.gguf is absent (scripts/prerequisites.sh fetches it)"))
    func smolLM2InterleavedRolesMatchFromScratch() throws {
        let url = try #require(TestFiles.smolLM2)
        let file = try GGUFFile(url: url)
        let tokenizer = try BPETokenizer(gguf: file)
        let template = ChatTemplate(gguf: file)
        let engine = try LlamaEngine(gguf: file, maxContext: 2048)
        let single = try LlamaEngine(gguf: file, maxContext: 2048, cacheSlots: 1)
        let roles = try ["exploration_policy", "state_change", "judge"].map { name in
            try String(contentsOf: TestFiles.checkout.appendingPathComponent("prompts/\(name).txt"), encoding: .utf8)
        }
        let options = GenerationOptions(temperature: 0, maxTokens: 6)
        var prompts: [[Int]] = []
        for call in 0..<6 {
            let role = call % 3
            let observation = "[\(call)] link 'Order #\(1000 + call * 37)' [\(call + 7)] button 'Next page'"
            let prompt = tokenizer.encode(template.render([.system(roles[role]), .user(observation)]))
            prompts.append(prompt)
            let logits = try engine.prefill(prompt)
            #expect(engine.activeSlot == role)
            if call >= 3 { #expect(engine.lastPrefillReusedTokens > 100, "call \(call) reused \(engine.lastPrefillReusedTokens)") }

            single.reset()
            let scratch = try single.prefill(prompt)
            let diff = zip(logits, scratch).map { abs($0 - $1) }.max()!
            #expect(diff < 1e-3, "call \(call): max |Δ| \(diff) against a from-scratch forward")
            if call >= 3 {
                single.reset()
                try single.prefill(prompts[call - 3])
                #expect(try single.prefill(prompt) == logits, "call \(call): differs from the role's single-slot reuse")
            }
            let a = try engine.generate(prompt: prompt, options: options, tokenizer: tokenizer, stopTokens: [])
            let b = try single.generate(prompt: prompt, options: options, tokenizer: tokenizer, stopTokens: [])
            #expect(a.tokens == b.tokens)
            single.reset()
            #expect(try single.generate(prompt: prompt, options: options, tokenizer: tokenizer, stopTokens: []).tokens == a.tokens,
                    "call \(call): greedy tokens differ from scratch")
        }
    }
}
