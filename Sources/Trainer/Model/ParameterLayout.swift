import Foundation
import LlamaModel

/// One named tensor inside a flat parameter buffer.
public struct TensorSlot: Sendable, Hashable {
    public var name: String
    public var offset: Int
    public var shape: [Int]
    public var count: Int { shape.reduce(1, *) }
}

/// Offsets of one decoder block's tensors inside the flat buffer.
struct LayerSlots {
    var attnNorm, query, key, value, attnOutput, ffnNorm, gate, up, down: Int
    /// Qwen2's q/k/v biases and Qwen3's q/k norm scales, where the family has them.
    var queryBias, keyBias, valueBias, queryNorm, keyNorm: Int?
}

/// Where every tensor of a Llama model lives in one flat buffer (llm.c's `param_sizes` table).
/// Gradients and AdamW moments use the same layout, so the optimizer is one flat loop.
/// Names are GGUF's; weights are (out, in).
public struct ParameterLayout: Sendable {
    public let config: LlamaConfig
    public private(set) var slots: [TensorSlot] = []
    public private(set) var total = 0
    private var index: [String: Int] = [:]
    let embedding: Int
    let outputNorm: Int
    let output: Int
    let layers: [LayerSlots]

    public init(config: LlamaConfig) {
        self.config = config
        // Offsets follow the model's one shape table (`LlamaConfig.tensors`), in its order.
        var slots: [TensorSlot] = []
        var total = 0
        var roles: [LlamaTensor.Role: Int] = [:]
        var layers: [LayerSlots] = []
        for tensor in config.tensors {
            slots.append(TensorSlot(name: tensor.name, offset: total, shape: tensor.shape))
            roles[tensor.role] = total
            total += tensor.count
            if tensor.role == .ffnDown {
                layers.append(LayerSlots(attnNorm: roles[.attentionNorm]!, query: roles[.query]!, key: roles[.key]!,
                                         value: roles[.value]!, attnOutput: roles[.attentionOutput]!, ffnNorm: roles[.ffnNorm]!,
                                         gate: roles[.ffnGate]!, up: roles[.ffnUp]!, down: roles[.ffnDown]!,
                                         queryBias: roles[.queryBias], keyBias: roles[.keyBias], valueBias: roles[.valueBias],
                                         queryNorm: roles[.queryNorm], keyNorm: roles[.keyNorm]))
                for role in [LlamaTensor.Role.queryBias, .keyBias, .valueBias, .queryNorm, .keyNorm] { roles[role] = nil }
            }
        }
        embedding = roles[.tokenEmbedding]!
        outputNorm = roles[.outputNorm]!
        output = roles[.output] ?? embedding
        self.layers = layers
        self.slots = slots
        self.total = total
        for (i, s) in slots.enumerated() { index[s.name] = i }
    }

    public func slot(named name: String) -> TensorSlot? { index[name].map { slots[$0] } }
}

extension ParameterLayout {
    /// Llama-style initialisation for a model trained from scratch: weights N(0, 0.02),
    /// the residual-output projections scaled down by 1/sqrt(2L), norms at 1.
    public func initialize(_ params: FloatBuffer, rng: inout TrainingRNG) {
        let residualScale = 1 / Float(2 * config.layerCount).squareRoot()
        for slot in slots {
            let p = params.pointer + slot.offset
            if slot.shape.count == 1 {
                p.update(repeating: slot.name.hasSuffix(".bias") ? 0 : 1, count: slot.count)
                continue
            }
            let isResidualOut = slot.name.hasSuffix("attn_output.weight") || slot.name.hasSuffix("ffn_down.weight")
            let std: Float = 0.02 * (isResidualOut ? residualScale : 1)
            for i in 0..<slot.count { p[i] = rng.normal() * std }
        }
    }
}
