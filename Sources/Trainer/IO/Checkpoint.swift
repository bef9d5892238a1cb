import Foundation
import LlamaModel

/// Conversions between the trainer's flat buffer and the engine's `LlamaWeights` (GGUF names).
extension TrainableLlama {
    public convenience init(weights: LlamaWeights, lora: LoRAConfig? = nil, recompute: Bool = false) throws {
        try weights.validate()
        let layout = ParameterLayout(config: weights.config)
        let buffer = FloatBuffer(count: layout.total)
        for slot in layout.slots {
            let values = try weights.tensor(slot.name)
            values.withUnsafeBufferPointer { (buffer.pointer + slot.offset).update(from: $0.baseAddress!, count: slot.count) }
        }
        self.init(config: weights.config, parameters: buffer, lora: lora, recompute: recompute)
    }

    /// The model's weights; with LoRA the adapters are merged in (the base buffer is not changed).
    public func exportWeights(mergingAdapters: Bool = true) -> LlamaWeights {
        var source = parameters
        if mergingAdapters, let loraLayout, let adapters {
            source = FloatBuffer(parameters.array)
            loraLayout.merge(adapters: adapters, into: source, base: layout)
        }
        var tensors: [String: [Float]] = [:]
        for slot in layout.slots {
            tensors[slot.name] = Array(UnsafeBufferPointer(start: source.pointer + slot.offset, count: slot.count))
        }
        return LlamaWeights(config: config, tensors: tensors)
    }
}

/// A training checkpoint directory:
/// - `model.safetensors`: full weights with Hugging Face names (adapters merged for LoRA runs);
/// - `adapter.safetensors` (LoRA runs): the adapter tensors, which `--resume` continues from;
/// - `optimizer.safetensors`: AdamW first and second moments (flat, in the trainable layout);
/// - `trainer_state.json`: step, data cursor, RNG state, options and model config.
public struct Checkpoint {
    public let directory: URL
    public init(directory: URL) { self.directory = directory }

    public var modelURL: URL { directory.appendingPathComponent("model.safetensors") }
    public var adapterURL: URL { directory.appendingPathComponent("adapter.safetensors") }
    public var optimizerURL: URL { directory.appendingPathComponent("optimizer.safetensors") }
    public var stateURL: URL { directory.appendingPathComponent("trainer_state.json") }

    public var exists: Bool { FileManager.default.fileExists(atPath: stateURL.path) }

    public func save(_ tuner: FineTuner) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let model = tuner.model
        try model.exportWeights().write(safetensors: modelURL)
        if let ll = model.loraLayout, let adapters = model.adapters {
            let tensors = ll.slots.map { s in
                (name: s.name, shape: s.shape, values: Array(UnsafeBufferPointer(start: adapters.pointer + s.offset, count: s.count)))
            }
            let lora = String(decoding: try JSONEncoder().encode(ll.lora), as: UTF8.self)
            try SafetensorsFile.write(tensors, metadata: ["nnetnav.lora": lora], to: adapterURL)
        }
        try SafetensorsFile.write([(name: "adamw.m", shape: [tuner.optimizer.m.count], values: tuner.optimizer.m.array),
                                   (name: "adamw.v", shape: [tuner.optimizer.v.count], values: tuner.optimizer.v.array)],
                                  to: optimizerURL)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(tuner.state).write(to: stateURL, options: .atomic)
    }

    public func loadState() throws -> TrainerState {
        try JSONDecoder().decode(TrainerState.self, from: Data(contentsOf: stateURL))
    }

    /// Rebuilds the model a run was training: for full fine-tuning the saved weights; for LoRA the
    /// given frozen base plus the saved adapters.
    public func loadModel(base: LlamaWeights?, state: TrainerState) throws -> TrainableLlama {
        if let lora = state.options.lora {
            guard let base else { throw TrainerError.invalidCheckpoint("a LoRA checkpoint needs its base model") }
            let model = try TrainableLlama(weights: base, lora: lora, recompute: state.options.recompute)
            let file = try SafetensorsFile(url: adapterURL)
            for slot in model.loraLayout!.slots {
                let values = try file.floats(slot.name)
                guard values.count == slot.count else { throw TrainerError.invalidCheckpoint("adapter \(slot.name) has the wrong size") }
                for i in 0..<slot.count { model.adapters![slot.offset + i] = values[i] }
            }
            return model
        }
        let weights = try LlamaWeights.load(safetensors: modelURL, config: state.config)
        return try TrainableLlama(weights: weights, recompute: state.options.recompute)
    }

    /// Restores optimizer moments and run position into a tuner built on `loadModel`'s model.
    public func restore(into tuner: FineTuner, state: TrainerState) throws {
        let file = try SafetensorsFile(url: optimizerURL)
        let m = try file.floats("adamw.m"), v = try file.floats("adamw.v")
        guard m.count == tuner.optimizer.m.count, v.count == tuner.optimizer.v.count else {
            throw TrainerError.invalidCheckpoint("optimizer state does not match the model")
        }
        for i in 0..<m.count { tuner.optimizer.m[i] = m[i]; tuner.optimizer.v[i] = v[i] }
        tuner.optimizer.stepCount = state.adamSteps
        tuner.state = state
    }
}

public enum TrainerError: Error, CustomStringConvertible {
    case invalidCheckpoint(String)
    case invalidData(String)
    case doesNotFit(String)

    public var description: String {
        switch self {
        case .invalidCheckpoint(let m): "invalid checkpoint: \(m)"
        case .invalidData(let m): "invalid training data: \(m)"
        case .doesNotFit(let m): "does not fit in memory: \(m)"
        }
    }
}
