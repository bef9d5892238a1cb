import Foundation
import LlamaModel

/// Conversions between the trainer's flat buffer and the engine's `LlamaWeights` (GGUF names).
extension TrainableLlama {
    public convenience init(weights: LlamaWeights, lora: LoRAConfig? = nil, recompute: Bool = false,
                            precision: TrainingPrecision = .fp32) throws {
        try weights.validate()
        let layout = ParameterLayout(config: weights.config)
        let buffer = FloatBuffer(count: layout.total)
        for slot in layout.slots {
            let values = try weights.tensor(slot.name)
            values.withUnsafeBufferPointer { (buffer.pointer + slot.offset).update(from: $0.baseAddress!, count: slot.count) }
        }
        self.init(config: weights.config, parameters: buffer, lora: lora, recompute: recompute, precision: precision)
    }

    /// The model's weights in fp32; with LoRA the adapters are merged in (the base is not changed).
    /// A bf16 base exports as stored: its values widened exactly, not the fp32 it was loaded from.
    public func exportWeights(mergingAdapters: Bool = true) -> LlamaWeights {
        let merging = mergingAdapters && adapters != nil
        let source: FloatBuffer
        switch base {
        case .fp32(let p): source = merging ? FloatBuffer(p.array) : p
        case .bf16(let w): source = w.widened()
        }
        if merging, let loraLayout, let adapters {
            loraLayout.merge(adapters: adapters, into: source, base: layout)
        }
        var tensors: [String: [Float]] = [:]
        for slot in layout.slots {
            tensors[slot.name] = Array(UnsafeBufferPointer(start: source.pointer + slot.offset, count: slot.count))
        }
        return LlamaWeights(config: config, tensors: tensors)
    }
}

/// A training run's checkpoint, in `directory/checkpoint/` (a symlink to the current complete set,
/// switched atomically by `CheckpointSetWriter`, so a kill mid-save leaves the previous set):
/// - `model.safetensors`: full weights with Hugging Face names (adapters merged for LoRA runs);
/// - `adapter.safetensors` (LoRA runs): the adapter tensors, which `--resume` continues from;
/// - `optimizer.safetensors`: AdamW first and second moments (flat, in the trainable layout);
/// - `trainer_state.json`: step, data cursor, RNG state, options and model config;
/// - `manifest.json`: digests of the files above and of the training data (`CheckpointManifest`).
/// Runs written before the set layout (the files directly in `directory`) still load.
public struct Checkpoint {
    public let directory: URL
    public init(directory: URL) { self.directory = directory }

    /// The folder holding the current set.
    public var setDirectory: URL {
        let link = directory.appendingPathComponent(CheckpointSetWriter.linkName)
        let legacy = directory.appendingPathComponent("trainer_state.json")
        if !FileManager.default.fileExists(atPath: link.path), FileManager.default.fileExists(atPath: legacy.path) { return directory }
        return link
    }

    public var modelURL: URL { setDirectory.appendingPathComponent("model.safetensors") }
    public var adapterURL: URL { setDirectory.appendingPathComponent("adapter.safetensors") }
    public var optimizerURL: URL { setDirectory.appendingPathComponent("optimizer.safetensors") }
    public var stateURL: URL { setDirectory.appendingPathComponent("trainer_state.json") }
    public var manifestURL: URL { setDirectory.appendingPathComponent("manifest.json") }

    public var exists: Bool { FileManager.default.fileExists(atPath: stateURL.path) }

    /// Writes a complete new set and switches to it. `dataFingerprint` (`ContentDigest.rows`) lets
    /// `--resume` refuse different data.
    public func save(_ tuner: FineTuner, dataFingerprint: String? = nil) throws {
        try CheckpointSetWriter.write(in: directory) { folder in
            try Checkpoint(directory: folder).writeFiles(tuner, dataFingerprint: dataFingerprint, into: folder)
        }
    }

    private func writeFiles(_ tuner: FineTuner, dataFingerprint: String?, into folder: URL) throws {
        let modelURL = folder.appendingPathComponent("model.safetensors")
        let adapterURL = folder.appendingPathComponent("adapter.safetensors")
        let optimizerURL = folder.appendingPathComponent("optimizer.safetensors")
        let stateURL = folder.appendingPathComponent("trainer_state.json")
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
        try encoder.encode(tuner.state).write(to: stateURL)
        var files: [String: String] = [:]
        for url in [modelURL, adapterURL, optimizerURL, stateURL] where FileManager.default.fileExists(atPath: url.path) {
            files[url.lastPathComponent] = try ContentDigest.file(url)
        }
        let manifest = CheckpointManifest(files: files, dataFingerprint: dataFingerprint, step: tuner.state.step)
        try encoder.encode(manifest).write(to: folder.appendingPathComponent("manifest.json"))
    }

    /// Checks, before a resume, that the set's files are the ones written together and that the run
    /// asks for the same options and data the checkpoint was trained with.
    public func verifyResume(options: TrainingOptions, dataFingerprint: String) throws -> TrainerState {
        let state = try loadState()
        if FileManager.default.fileExists(atPath: manifestURL.path) {
            let manifest: CheckpointManifest
            do {
                manifest = try JSONDecoder().decode(CheckpointManifest.self, from: Data(contentsOf: manifestURL))
            } catch {
                throw TrainerError.invalidCheckpoint("\(manifestURL.path) is unreadable: \(error)")
            }
            for (name, digest) in manifest.files.sorted(by: { $0.key < $1.key }) {
                let url = setDirectory.appendingPathComponent(name)
                guard FileManager.default.fileExists(atPath: url.path) else {
                    throw TrainerError.invalidCheckpoint("\(name) of the checkpoint in \(setDirectory.path) is missing")
                }
                guard try ContentDigest.file(url) == digest else {
                    throw TrainerError.invalidCheckpoint("\(name) in \(setDirectory.path) is not the one saved with this checkpoint's state")
                }
            }
            guard manifest.step == state.step else {
                throw TrainerError.invalidCheckpoint("trainer_state.json is at step \(state.step) but the set was saved at step \(manifest.step)")
            }
            if let saved = manifest.dataFingerprint, saved != dataFingerprint {
                throw TrainerError.invalidCheckpoint(
                    "the training data changed since the checkpoint in \(directory.path) was saved (fingerprint \(saved), now \(dataFingerprint)); "
                        + "train into a new --output or restore the data")
            }
        }
        if state.options != options {
            throw TrainerError.invalidCheckpoint(
                "the checkpoint in \(directory.path) was trained with other options (\(Self.differences(state.options, options))); "
                    + "resume with the same options or train into a new --output")
        }
        return state
    }

    /// "steps 6 → 10, seed 42 → 7": the top-level option fields that differ.
    static func differences(_ a: TrainingOptions, _ b: TrainingOptions) -> String {
        func fields(_ o: TrainingOptions) -> [String: String] {
            guard let data = try? JSONEncoder().encode(o),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
            var out: [String: String] = [:]
            for (k, v) in object {
                let json = (try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .fragmentsAllowed])) ?? Data()
                out[k] = String(decoding: json, as: UTF8.self)
            }
            return out
        }
        let fa = fields(a), fb = fields(b)
        let keys = Set(fa.keys).union(fb.keys).sorted().filter { fa[$0] != fb[$0] }
        return keys.map { "\($0) \(fa[$0] ?? "unset") → \(fb[$0] ?? "unset")" }.joined(separator: ", ")
    }

    public func loadState() throws -> TrainerState {
        try JSONDecoder().decode(TrainerState.self, from: Data(contentsOf: stateURL))
    }

    /// Rebuilds the model a run was training: for full fine-tuning the saved weights; for LoRA the
    /// given frozen base plus the saved adapters.
    public func loadModel(base: LlamaWeights?, state: TrainerState) throws -> TrainableLlama {
        if let lora = state.options.lora {
            guard let base else { throw TrainerError.invalidCheckpoint("a LoRA checkpoint needs its base model") }
            let model = try TrainableLlama(weights: base, lora: lora, recompute: state.options.recompute,
                                           precision: state.options.precision)
            let file = try SafetensorsFile(url: adapterURL)
            for slot in model.loraLayout!.slots {
                let values = try file.floats(slot.name)
                guard values.count == slot.count else { throw TrainerError.invalidCheckpoint("adapter \(slot.name) has the wrong size") }
                for i in 0..<slot.count { model.adapters![slot.offset + i] = values[i] }
            }
            return model
        }
        let weights = try LlamaWeights.load(safetensors: modelURL, config: state.config)
        return try TrainableLlama(weights: weights, recompute: state.options.recompute, precision: state.options.precision)
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
