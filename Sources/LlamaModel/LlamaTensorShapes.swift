/// One tensor of a Llama-family model: what it is, its GGUF name and its row-major shape.
public struct LlamaTensor: Sendable, Hashable {
    public enum Role: Sendable, Hashable, CaseIterable {
        case tokenEmbedding, attentionNorm, query, key, value, attentionOutput, ffnNorm, ffnGate, ffnUp, ffnDown
        case outputNorm, output
        /// Qwen2's q/k/v projection biases and Qwen3's per-head q/k RMSNorm scales.
        case queryBias, keyBias, valueBias, queryNorm, keyNorm
    }
    public var role: Role
    /// The decoder block, for per-layer tensors.
    public var layer: Int?
    public var name: String
    public var shape: [Int]
    public var count: Int { shape.reduce(1, *) }
}

extension LlamaConfig {
    /// Every tensor of this model in canonical order (embedding, then per block attention norm,
    /// q, k, v, [q/k/v biases], [q/k norms], attention output, FFN norm, gate, up, down, then output
    /// norm and the untied head): the one shape table of every family, used by the file loaders,
    /// the engine and the trainer's parameter layout. Weights are (out, in); a tied head has no
    /// `output` entry.
    public var tensors: [LlamaTensor] {
        let c = dim, q = queryDim, kv = kvDim, f = hiddenDim
        var list = [LlamaTensor(role: .tokenEmbedding, layer: nil, name: LlamaTensorName.tokenEmbedding, shape: [vocabSize, c])]
        for l in 0..<layerCount {
            var block: [(LlamaTensor.Role, String, [Int])] = [
                (.attentionNorm, LlamaTensorName.attentionNorm(l), [c]),
                (.query, LlamaTensorName.query(l), [q, c]),
                (.key, LlamaTensorName.key(l), [kv, c]),
                (.value, LlamaTensorName.value(l), [kv, c]),
            ]
            if attentionBias {
                block += [(.queryBias, LlamaTensorName.queryBias(l), [q]), (.keyBias, LlamaTensorName.keyBias(l), [kv]),
                          (.valueBias, LlamaTensorName.valueBias(l), [kv])]
            }
            if queryKeyNorm {
                block += [(.queryNorm, LlamaTensorName.queryNorm(l), [headDim]), (.keyNorm, LlamaTensorName.keyNorm(l), [headDim])]
            }
            block += [
                (.attentionOutput, LlamaTensorName.attentionOutput(l), [c, q]),
                (.ffnNorm, LlamaTensorName.ffnNorm(l), [c]),
                (.ffnGate, LlamaTensorName.ffnGate(l), [f, c]),
                (.ffnUp, LlamaTensorName.ffnUp(l), [f, c]),
                (.ffnDown, LlamaTensorName.ffnDown(l), [c, f]),
            ]
            list += block.map { LlamaTensor(role: $0.0, layer: l, name: $0.1, shape: $0.2) }
        }
        list.append(LlamaTensor(role: .outputNorm, layer: nil, name: LlamaTensorName.outputNorm, shape: [c]))
        if !tiedEmbeddings { list.append(LlamaTensor(role: .output, layer: nil, name: LlamaTensorName.output, shape: [vocabSize, c])) }
        return list
    }

    /// The shape of the tensor called `name`, if this model has one.
    public func shape(ofTensor name: String) -> [Int]? { tensors.first { $0.name == name }?.shape }

    /// How many RoPE heads the rows of tensor `name` form, when they are in RoPE order (the q and k
    /// weights, biases and norm scales; a norm scale is one head of single-value rows). Files
    /// that store these half-split are permuted by `HuggingFaceNames` with this.
    public func ropeHeads(ofTensor name: String) -> Int? {
        if name.hasSuffix(".attn_q.weight") || name.hasSuffix(".attn_q.bias") { return headCount }
        if name.hasSuffix(".attn_k.weight") || name.hasSuffix(".attn_k.bias") { return kvHeadCount }
        if name.hasSuffix(".attn_q_norm.weight") || name.hasSuffix(".attn_k_norm.weight") { return 1 }
        return nil
    }
}
