/// One tensor of a Llama-family model: what it is, its GGUF name and its row-major shape.
public struct LlamaTensor: Sendable, Hashable {
    public enum Role: Sendable, Hashable, CaseIterable {
        case tokenEmbedding, attentionNorm, query, key, value, attentionOutput, ffnNorm, ffnGate, ffnUp, ffnDown
        case outputNorm, output
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
    /// q, k, v, attention output, FFN norm, gate, up, down, then output norm and the untied head):
    /// the one shape table used by the file loaders, the engine and the trainer's parameter layout.
    /// Weights are (out, in); a tied head has no `output` entry.
    public var tensors: [LlamaTensor] {
        let c = dim, kv = kvDim, f = hiddenDim
        var list = [LlamaTensor(role: .tokenEmbedding, layer: nil, name: LlamaTensorName.tokenEmbedding, shape: [vocabSize, c])]
        for l in 0..<layerCount {
            let block: [(LlamaTensor.Role, String, [Int])] = [
                (.attentionNorm, LlamaTensorName.attentionNorm(l), [c]),
                (.query, LlamaTensorName.query(l), [c, c]),
                (.key, LlamaTensorName.key(l), [kv, c]),
                (.value, LlamaTensorName.value(l), [kv, c]),
                (.attentionOutput, LlamaTensorName.attentionOutput(l), [c, c]),
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
}
