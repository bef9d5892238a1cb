import Foundation
import NNetnavSupport

/// Picks the next token from logits: greedy when temperature is 0, otherwise softmax at the
/// temperature restricted to the smallest set of tokens whose probability reaches top-p.
public struct Sampler: Sendable {
    public var temperature: Float
    public var topP: Float
    private var rng: SplitMix64

    public init(temperature: Double, topP: Double, seed: UInt64?) {
        self.temperature = Float(max(0, temperature))
        self.topP = Float(min(max(topP, 0), 1))
        rng = SplitMix64(seed: seed ?? UInt64.random(in: .min ... .max))
    }

    /// The first index of the largest logit (NaNs never win; 0 when nothing beats -∞). Runs once
    /// per greedy token over the whole vocabulary, so the maximum is found 16 lanes at a time.
    public static func argmax(_ logits: UnsafeBufferPointer<Float>) -> Int {
        guard let base = logits.baseAddress else { return 0 }
        let n = logits.count, raw = UnsafeRawPointer(base)
        var lanes = SIMD16<Float>(repeating: -.infinity)
        var i = 0
        while i + 16 <= n {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            lanes.replace(with: v, where: v .> lanes)  // NaN compares false: never taken
            i += 16
        }
        var bestValue = lanes.max()
        while i < n { if base[i] > bestValue { bestValue = base[i] }; i += 1 }
        guard bestValue > -.infinity else { return 0 }
        for j in 0..<n where base[j] == bestValue { return j }
        return 0
    }

    public mutating func sample(_ logits: UnsafeBufferPointer<Float>) -> Int {
        if temperature == 0 { return Self.argmax(logits) }
        let maxLogit = logits.max() ?? 0
        // Candidates within a generous margin of the best; the rest have negligible mass
        // (e^-30 relative) and sorting the whole vocabulary would dominate the step.
        var candidates: [(id: Int, p: Float)] = []
        let cutoff = maxLogit - 30 * temperature
        var total: Float = 0
        for i in logits.indices where logits[i] >= cutoff {
            let p = expf((logits[i] - maxLogit) / temperature)
            candidates.append((i, p)); total += p
        }
        candidates.sort { $0.p > $1.p }
        var kept = candidates.count
        if topP < 1 {
            var cumulative: Float = 0
            for (k, c) in candidates.enumerated() {
                cumulative += c.p / total
                if cumulative >= topP { kept = k + 1; break }
            }
        }
        let keptMass = candidates[..<kept].reduce(0) { $0 + $1.p }
        var r = Float(Double(rng.next() >> 11) / Double(1 << 53)) * keptMass
        for c in candidates[..<kept] {
            r -= c.p
            if r <= 0 { return c.id }
        }
        return candidates[kept - 1].id
    }
}
