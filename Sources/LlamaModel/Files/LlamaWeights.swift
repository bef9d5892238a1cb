import Foundation

/// All weights of a Llama model as Float tensors keyed by GGUF name (`LlamaTensorName`),
/// row-major, q/k rows in GGUF (interleaved RoPE) order. Loaded from GGUF or safetensors.
public struct LlamaWeights: Sendable {
    public var config: LlamaConfig
    public var tensors: [String: [Float]]

    public init(config: LlamaConfig, tensors: [String: [Float]]) {
        self.config = config
        self.tensors = tensors
    }

    public func tensor(_ name: String) throws -> [Float] {
        guard let t = tensors[name] else { throw ModelFileError.missingTensor(name) }
        return t
    }

    /// Checks that every expected tensor is present with the right size.
    public func validate() throws {
        try config.validate(source: "model weights")
        for t in config.tensors {
            let (name, shape) = (t.name, t.shape)
            guard let t = tensors[name] else { throw ModelFileError.missingTensor(name) }
            guard t.count == shape.reduce(1, *) else { throw ModelFileError.shapeMismatch(name, expected: shape, found: [t.count]) }
        }
    }

    /// Loads and dequantises every tensor of a GGUF file.
    public static func load(gguf url: URL) throws -> LlamaWeights { try load(gguf: GGUFFile(url: url)) }

    public static func load(gguf file: GGUFFile) throws -> LlamaWeights {
        let config = try LlamaConfig(gguf: file)
        try checkTensors(of: file, for: config)
        var tensors: [String: [Float]] = [:]
        for t in config.tensors {
            let values = try file.floats(t.name)
            tensors[t.name] = config.architecture.ggufRowsAreHalfSplit
                ? HuggingFaceNames.toInterleaved(values, tensor: t.name, config: config) : values
        }
        let weights = LlamaWeights(config: config, tensors: tensors)
        return weights
    }

    /// Checks that a GGUF file holds every tensor `config` needs, in its shape, before anything is
    /// allocated for them: the sizes in a file's metadata are only trusted once its tensors (which
    /// the reader checked fit in the file) agree with them.
    public static func checkTensors(of file: GGUFFile, for config: LlamaConfig) throws {
        for t in config.tensors {
            let (name, shape) = (t.name, t.shape)
            guard let info = file.info(name) else {
                throw ModelFileError.malformed(file.url.path, "the model file has no tensor named \(name)")
            }
            guard info.shape == shape else {
                throw ModelFileError.malformed(file.url.path, "tensor \(name) has shape \(info.shape), expected \(shape)")
            }
        }
    }

    /// Metadata key under which `write(safetensors:)` stores the config as JSON.
    public static let configMetadataKey = "nnetnav.llama_config"

    /// Loads a Hugging Face-named safetensors checkpoint (q/k rows permuted into GGUF order).
    /// The config comes from `config` if given, else from the file's own metadata (files this
    /// project writes), else from a `config.json` next to the file.
    public static func load(safetensors url: URL, config: LlamaConfig? = nil) throws -> LlamaWeights {
        let file = try SafetensorsFile(url: url)
        let resolved: LlamaConfig
        if let config {
            resolved = config
        } else if let json = file.metadata[configMetadataKey], let data = json.data(using: .utf8) {
            do {
                resolved = try JSONDecoder().decode(LlamaConfig.self, from: data)
            } catch {
                throw ModelFileError.malformed(url.path, "\(configMetadataKey) metadata is not a model config: \(error)")
            }
        } else {
            let sibling = url.deletingLastPathComponent().appendingPathComponent("config.json")
            guard FileManager.default.fileExists(atPath: sibling.path) else {
                throw ModelFileError.missingMetadata("model config (no \(configMetadataKey) metadata and no config.json beside \(url.lastPathComponent))")
            }
            resolved = try LlamaConfig(huggingFaceConfig: sibling)
        }
        try resolved.validate(source: url.path)
        let expected = Dictionary(resolved.tensors.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
        var tensors: [String: [Float]] = [:]
        for info in file.tensors {
            // Both spellings are accepted so files written by other GGUF-named tools load too.
            let name = HuggingFaceNames.ggufName(info.name) ?? info.name
            var values = try file.floats(info.name)
            if let shape = expected[name], values.count != shape.reduce(1, *) {
                // Checked before the RoPE row permutation, which indexes by the config's sizes.
                throw ModelFileError.malformed(url.path, "tensor \(info.name) has \(values.count) values, the config needs \(shape)")
            }
            if HuggingFaceNames.ggufName(info.name) != nil {
                values = HuggingFaceNames.toInterleaved(values, tensor: name, config: resolved)
            }
            tensors[name] = values
        }
        var config = resolved
        // A checkpoint without lm_head is tied whatever config.json says.
        if tensors[LlamaTensorName.output] == nil { config.tiedEmbeddings = true }
        let weights = LlamaWeights(config: config, tensors: tensors)
        try weights.validate()
        return weights
    }

    /// Writes a Hugging Face-named safetensors checkpoint (q/k rows permuted back to HF order),
    /// with the config in the file's metadata.
    public func write(safetensors url: URL, dtype: SafetensorsFile.DType = .f32) throws {
        try validate()
        var list: [(name: String, shape: [Int], values: [Float])] = []
        for t in config.tensors {
            let (name, shape) = (t.name, t.shape)
            var values = tensors[name]!
            values = HuggingFaceNames.toHalfSplit(values, tensor: name, config: config)
            list.append((HuggingFaceNames.hfName(name) ?? name, shape, values))
        }
        let json = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        try SafetensorsFile.write(list, dtype: dtype, metadata: [Self.configMetadataKey: json, "format": "pt"], to: url)
    }

    /// Writes a GGUF model with the given tensor encoding for 2-D weights (1-D norms stay F32),
    /// plus extra metadata (e.g. the tokenizer's `tokenizer.ggml.*` keys).
    public func write(gguf url: URL, weightType: GGMLType = .f32, extraMetadata: [(String, GGUFValue)] = []) throws {
        try validate()
        var writer = GGUFWriter()
        for (k, v) in config.ggufMetadata + extraMetadata { writer.set(k, v) }
        for t in config.tensors {
            let (name, shape) = (t.name, t.shape)
            // Qwen GGUFs keep Hugging Face's half-split q/k rows (llama.cpp runs them with NeoX RoPE).
            let values = config.architecture.ggufRowsAreHalfSplit
                ? HuggingFaceNames.toHalfSplit(tensors[name]!, tensor: name, config: config) : tensors[name]!
            writer.add(name, shape: shape, values: values, as: shape.count == 2 ? weightType : .f32)
        }
        try writer.write(to: url)
    }
}
