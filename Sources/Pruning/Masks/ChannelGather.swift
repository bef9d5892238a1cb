import LlamaModel

/// Gathers the kept SwiGLU channels of every block into smaller dense matrices: gate and up keep rows j,
/// down keeps columns j, and the config's `hiddenDim` becomes the kept count. The result is an ordinary
/// Llama model (every engine path, quantized decode included, runs it unchanged), and it computes exactly
/// what the full model computes with the other channels zeroed.
public enum ChannelGather {
    public static func gather(_ weights: LlamaWeights, keptChannels: [[Int]]) throws -> LlamaWeights {
        let c = weights.config, f = c.hiddenDim, d = c.dim
        guard keptChannels.count == c.layerCount, let k = keptChannels.first?.count, k > 0,
              keptChannels.allSatisfy({ $0.count == k && $0.allSatisfy { (0..<f).contains($0) } }) else {
            throw PruningError.invalidInput("kept channels must name the same number of valid channels in each of \(c.layerCount) blocks")
        }
        var config = c
        config.hiddenDim = k
        var out = LlamaWeights(config: config, tensors: weights.tensors)
        for (l, kept) in keptChannels.enumerated() {
            let gate = try weights.tensor(LlamaTensorName.ffnGate(l)), up = try weights.tensor(LlamaTensorName.ffnUp(l))
            let down = try weights.tensor(LlamaTensorName.ffnDown(l))
            var g = [Float](repeating: 0, count: k * d), u = g, dn = g
            for (i, j) in kept.enumerated() {
                for col in 0..<d { g[i * d + col] = gate[j * d + col]; u[i * d + col] = up[j * d + col] }
                for row in 0..<d { dn[row * k + i] = down[row * f + j] }
            }
            out.tensors[LlamaTensorName.ffnGate(l)] = g
            out.tensors[LlamaTensorName.ffnUp(l)] = u
            out.tensors[LlamaTensorName.ffnDown(l)] = dn
        }
        try out.validate()
        return out
    }
}
