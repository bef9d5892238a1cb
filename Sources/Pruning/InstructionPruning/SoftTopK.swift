import Foundation

/// A differentiable keep-`k`-of-`n` mask: m_j = σ((s_j − τ)/T) with the threshold τ chosen so that
/// Σ m_j = k exactly. IFPruning trains its predictor through such a relaxation (the paper's SoftTopK);
/// this one is the sigmoid-threshold form, whose gradient follows from the budget constraint:
/// Σ σ'_j (ds_j − dτ) = 0 gives dτ = Σ σ'_j ds_j / Σ σ'_j, so
/// ∂L/∂s_i = σ'_i / T · (g_i − Σ_j g_j σ'_j / Σ_j σ'_j), with g = ∂L/∂m and σ'_j = m_j (1 − m_j).
/// As T → 0 the mask becomes the hard top-k; the mask always sums to k, so the soft model
/// has the hard model's budget of active channels during training.
public struct SoftTopK: Sendable {
    public var keep: Int
    public var temperature: Float

    public init(keep: Int, temperature: Float) {
        precondition(keep > 0 && temperature > 0)
        self.keep = keep
        self.temperature = temperature
    }

    /// The mask of one block's scores (Σ = `keep`, to bisection precision).
    public func mask(_ scores: [Float]) -> [Float] {
        let n = scores.count
        precondition(keep <= n)
        if keep == n { return [Float](repeating: 1, count: n) }
        let t = Double(temperature)
        let s = scores.map(Double.init)
        func total(_ tau: Double) -> Double { s.reduce(0) { $0 + 1 / (1 + exp(-($1 - tau) / t)) } }
        // Σ m falls monotonically in τ from n to 0: bisect between bounds that bracket k.
        var lo = s.min()! - 40 * t, hi = s.max()! + 40 * t
        for _ in 0..<100 {
            let mid = (lo + hi) / 2
            if total(mid) > Double(keep) { lo = mid } else { hi = mid }
            if hi - lo < 1e-12 * max(1, abs(mid)) { break }
        }
        let tau = (lo + hi) / 2
        return s.map { Float(1 / (1 + exp(-($0 - tau) / t))) }
    }

    /// ∂L/∂scores from ∂L/∂mask, at the mask `mask(scores)` returned.
    public func backward(mask m: [Float], maskGradient g: [Float]) -> [Float] {
        let slope = m.map { Double($0) * (1 - Double($0)) }
        let total = slope.reduce(0, +)
        guard total > 0 else { return [Float](repeating: 0, count: m.count) }
        let weighted = zip(slope, g).reduce(0.0) { $0 + $1.0 * Double($1.1) } / total
        let t = Double(temperature)
        return zip(slope, g).map { Float($0 / t * (Double($1) - weighted)) }
    }
}
