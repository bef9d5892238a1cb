import Foundation
import LlamaModel

/// Which linear layers get low-rank adapters.
public enum LoRATarget: String, CaseIterable, Codable, Sendable {
    case query = "q", key = "k", value = "v", output = "o", gate, up, down

    public static let attention: [LoRATarget] = [.query, .key, .value, .output]
}

/// Low-rank adaptation settings: W' = W + (alpha / rank) · B·A with A (rank, in), B (out, rank).
public struct LoRAConfig: Codable, Sendable, Hashable {
    public var rank: Int
    public var alpha: Float
    public var targets: [LoRATarget]

    public init(rank: Int = 8, alpha: Float = 16, targets: [LoRATarget] = LoRATarget.attention) {
        self.rank = rank
        self.alpha = alpha
        self.targets = targets
    }

    public var scale: Float { alpha / Float(rank) }
}

/// Adapter tensors of every targeted layer, in one flat buffer (their own optimizer layout).
public struct LoRALayout: Sendable {
    public let lora: LoRAConfig
    public private(set) var slots: [TensorSlot] = []
    public private(set) var total = 0
    /// [layer][target] → (offset of A, offset of B)
    let offsets: [[LoRATarget: (a: Int, b: Int)]]

    public init(config: LlamaConfig, lora: LoRAConfig) {
        self.lora = lora
        var slots: [TensorSlot] = []
        var total = 0
        var offsets: [[LoRATarget: (a: Int, b: Int)]] = []
        for l in 0..<config.layerCount {
            var perLayer: [LoRATarget: (a: Int, b: Int)] = [:]
            for target in lora.targets {
                let (name, out, inp) = LoRALayout.linearShape(target, layer: l, config: config)
                let base = name.replacingOccurrences(of: ".weight", with: "")
                let a = total
                slots.append(TensorSlot(name: base + ".lora_a", offset: a, shape: [lora.rank, inp]))
                total += lora.rank * inp
                let b = total
                slots.append(TensorSlot(name: base + ".lora_b", offset: b, shape: [out, lora.rank]))
                total += out * lora.rank
                perLayer[target] = (a, b)
            }
            offsets.append(perLayer)
        }
        self.slots = slots
        self.total = total
        self.offsets = offsets
    }

    static func linearShape(_ target: LoRATarget, layer l: Int, config: LlamaConfig) -> (String, Int, Int) {
        let c = config.dim, q = config.queryDim, kv = config.kvDim, f = config.hiddenDim
        switch target {
        case .query: return (LlamaTensorName.query(l), q, c)
        case .key: return (LlamaTensorName.key(l), kv, c)
        case .value: return (LlamaTensorName.value(l), kv, c)
        case .output: return (LlamaTensorName.attentionOutput(l), c, q)
        case .gate: return (LlamaTensorName.ffnGate(l), f, c)
        case .up: return (LlamaTensorName.ffnUp(l), f, c)
        case .down: return (LlamaTensorName.ffnDown(l), c, f)
        }
    }

    /// A ~ N(0, 1/in) (Kaiming-like), B = 0, so training starts exactly at the base model.
    public func initialize(_ buffer: FloatBuffer, rng: inout TrainingRNG) {
        for slot in slots where slot.name.hasSuffix("lora_a") {
            let std = 1 / Float(slot.shape[1]).squareRoot()
            for i in 0..<slot.count { buffer[slot.offset + i] = rng.normal() * std }
        }
    }

    /// Folds the adapters into a copy of the base weights: W += scale · B·A, for export.
    public func merge(adapters: FloatBuffer, into params: FloatBuffer, base: ParameterLayout) {
        for (l, perLayer) in offsets.enumerated() {
            for (target, off) in perLayer {
                let (name, out, inp) = LoRALayout.linearShape(target, layer: l, config: base.config)
                guard let slot = base.slot(named: name) else { continue }
                // W[out×in] += scale · B[out×r] · A[r×in]
                Matmul.nn(params.pointer + slot.offset, adapters.pointer + off.b, adapters.pointer + off.a,
                          m: out, n: inp, k: lora.rank, alpha: lora.scale, beta: 1)
            }
        }
    }
}

import Kernels
