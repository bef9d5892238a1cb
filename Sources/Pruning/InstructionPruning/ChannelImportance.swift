import LlamaModel

/// Per-demonstration importance of every SwiGLU channel: the first-order change of the loss when channel j's
/// mask m_j goes from 1 to 0. With h' = h ⊙ m feeding `down`, dL/dm_j = Σ_t h_tj · dL/dh'_tj = Σ_i W_down[i,j] ·
/// dW_down[i,j], so it comes from the trainer's ordinary weight gradient, no extra backward. The score is its
/// magnitude (Taylor pruning), z-scored within each block so blocks of different scale train one predictor.
public enum ChannelImportance {
    public static func perRow(weights: LlamaWeights, gradient: (String) -> UnsafeBufferPointer<Float>) throws -> [Float] {
        let c = weights.config, f = c.hiddenDim
        let raw = try maskGradients(weights: weights, gradient: gradient)
        var out = [Float](repeating: 0, count: c.layerCount * f)
        for l in 0..<c.layerCount {
            let scores = raw[l * f ..< (l + 1) * f].map { abs($0) }
            let mean = scores.reduce(0, +) / Float(f)
            let sd = (scores.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(f)).squareRoot()
            for j in 0..<f { out[l * f + j] = sd > 0 ? (scores[j] - mean) / sd : 0 }
        }
        return out
    }

    /// dL/dm_j of every channel of every block (layers × hidden), from the `down` weight gradients.
    public static func maskGradients(weights: LlamaWeights, gradient: (String) -> UnsafeBufferPointer<Float>) throws -> [Float] {
        let c = weights.config, f = c.hiddenDim, d = c.dim
        var out = [Float](repeating: 0, count: c.layerCount * f)
        for l in 0..<c.layerCount {
            let w = try weights.tensor(LlamaTensorName.ffnDown(l)), g = gradient(LlamaTensorName.ffnDown(l))
            for i in 0..<d { for j in 0..<f { out[l * f + j] += w[i * f + j] * g[i * f + j] } }
        }
        return out
    }
}
