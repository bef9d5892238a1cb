import Foundation
import LlamaModel
import NNetnavSupport

/// Prefill and decode speed of the Qwen2 and Qwen3 variants of the engine next to Llama at the
/// same size. No Qwen model file ships with the project, so the models are made here with random
/// weights in SmolLM2-135M's shapes (a Qwen3 variant with 128-wide heads, as Qwen3's), under the
/// same decode weights: the figures show what the families' extras (q/k/v biases, per-head q/k
/// RMSNorm, wider attention) cost, not the speed of a trained Qwen checkpoint.
extension EngineBench {
    struct FamilySpeed { var label: String; var prefill: Double; var decode: Double }

    static func familyConfigs() -> [(String, LlamaConfig)] {
        let llama = LlamaConfig.smolLM2_135M
        var qwen2 = llama
        qwen2.architecture = .qwen2
        qwen2.attentionBias = true
        var qwen3 = llama
        qwen3.architecture = .qwen3
        qwen3.queryKeyNorm = true
        qwen3.headSize = 128
        qwen3.headCount = 8
        qwen3.kvHeadCount = 2
        return [("llama (random, SmolLM2 shapes)", llama), ("qwen2 (random, + q/k/v bias)", qwen2),
                ("qwen3 (random, + q/k norm, 8×128 heads)", qwen3)]
    }

    static func randomWeights(_ config: LlamaConfig, seed: UInt64) -> LlamaWeights {
        var rng = SplitMix64(seed: seed)
        var tensors: [String: [Float]] = [:]
        for t in config.tensors {
            let scale = t.shape.count == 1 ? 0.1 : 1 / Float(t.shape[1]).squareRoot()
            let base: Float = t.shape.count == 1 && !t.name.hasSuffix(".bias") ? 1 : 0
            tensors[t.name] = (0..<t.count).map { _ in base + scale * Float.random(in: -1...1, using: &rng) }
        }
        return LlamaWeights(config: config, tensors: tensors)
    }

    /// Best-of-`repeats` prefill of `prompt` and greedy decode of `decodeTokens` tokens after it.
    static func speed(of engine: LlamaEngine, prompt: [Int], decodeTokens: Int, repeats: Int) throws -> (prefill: Double, decode: Double) {
        var prefillBest = Double.infinity, decodeBest = Double.infinity
        for _ in 0..<repeats {
            engine.reset()
            var start = Date()
            var logits = try engine.append(prompt)
            prefillBest = min(prefillBest, Date().timeIntervalSince(start))
            start = Date()
            for _ in 0..<decodeTokens {
                let next = logits.withUnsafeBufferPointer { Sampler.argmax($0) }
                logits = try engine.append([next])
            }
            decodeBest = min(decodeBest, Date().timeIntervalSince(start))
        }
        return (Double(prompt.count) / prefillBest, Double(decodeTokens) / decodeBest)
    }

    func familySpeeds(prompt: [Int]) throws -> [FamilySpeed] {
        try Self.familyConfigs().enumerated().map { i, entry in
            let engine = try LlamaEngine(weights: Self.randomWeights(entry.1, seed: UInt64(i + 1)),
                                         maxContext: prompt.count + decodeTokens + 8, decodeWeights: decodeWeights)
            let s = try Self.speed(of: engine, prompt: prompt, decodeTokens: decodeTokens, repeats: repeats)
            return FamilySpeed(label: entry.0, prefill: s.prefill, decode: s.decode)
        }
    }
}
