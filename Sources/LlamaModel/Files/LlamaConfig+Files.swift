import Foundation

extension LlamaConfig {
    /// Reads the hyper-parameters from GGUF `<architecture>.*` metadata (`llama`, `qwen2`, `qwen3`).
    public init(gguf: GGUFFile) throws {
        let name = gguf["general.architecture"]?.stringValue ?? "llama"
        guard let arch = ModelArchitecture(rawValue: name) else {
            throw ModelFileError.unsupported("architecture \(name) of \(gguf.url.path) (supported: \(ModelArchitecture.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let p = arch.rawValue
        func int(_ key: String) throws -> Int {
            guard let v = gguf["\(p).\(key)"]?.intValue else { throw ModelFileError.malformed(gguf.url.path, "no integer \(p).\(key) metadata") }
            return v
        }
        let dim = try int("embedding_length")
        let heads = try int("attention.head_count")
        guard heads > 0 else { throw ModelFileError.malformed(gguf.url.path, "\(p).attention.head_count is \(heads)") }
        let vocab = gguf["\(p).vocab_size"]?.intValue ?? gguf["tokenizer.ggml.tokens"]?.arrayValue?.count
            ?? gguf.info(LlamaTensorName.tokenEmbedding)?.shape.first
        guard let vocab else { throw ModelFileError.missingMetadata("\(p).vocab_size") }
        // Qwen3 states its head width (key_length) because it need not be dim / heads.
        let keyLength = gguf["\(p).attention.key_length"]?.intValue
        if let valueLength = gguf["\(p).attention.value_length"]?.intValue, valueLength != (keyLength ?? dim / heads) {
            throw ModelFileError.unsupported("value heads of \(valueLength) values with key heads of \(keyLength ?? dim / heads) in \(gguf.url.path)")
        }
        let headSize = keyLength.flatMap { $0 == dim / heads && dim % heads == 0 ? nil : $0 }
        let headDim = headSize ?? dim / heads
        if let rot = gguf["\(p).rope.dimension_count"]?.intValue, rot != headDim {
            throw ModelFileError.unsupported("partial rotary embedding (\(rot) of \(headDim) dimensions) in \(gguf.url.path)")
        }
        self.init(vocabSize: vocab, dim: dim, hiddenDim: try int("feed_forward_length"), layerCount: try int("block_count"),
                  headCount: heads, kvHeadCount: gguf["\(p).attention.head_count_kv"]?.intValue ?? heads,
                  contextLength: gguf["\(p).context_length"]?.intValue ?? 2048,
                  ropeTheta: Float(gguf["\(p).rope.freq_base"]?.doubleValue ?? 10_000),
                  rmsNormEps: Float(gguf["\(p).attention.layer_norm_rms_epsilon"]?.doubleValue ?? 1e-5),
                  tiedEmbeddings: gguf.info(LlamaTensorName.output) == nil,
                  architecture: arch, headSize: headSize,
                  // Biases and norms are whatever the file holds (a Qwen3 with attention_bias has both).
                  attentionBias: gguf.info(LlamaTensorName.queryBias(0)) != nil,
                  queryKeyNorm: gguf.info(LlamaTensorName.queryNorm(0)) != nil)
        try validate(source: gguf.url.path)
    }

    /// GGUF metadata entries describing this configuration (for writers).
    public var ggufMetadata: [(String, GGUFValue)] {
        let p = architecture.rawValue
        var list: [(String, GGUFValue)] = [
            ("general.architecture", .string(p)),
            ("\(p).vocab_size", .uint(UInt64(vocabSize))),
            ("\(p).context_length", .uint(UInt64(contextLength))),
            ("\(p).embedding_length", .uint(UInt64(dim))),
            ("\(p).feed_forward_length", .uint(UInt64(hiddenDim))),
            ("\(p).block_count", .uint(UInt64(layerCount))),
            ("\(p).attention.head_count", .uint(UInt64(headCount))),
            ("\(p).attention.head_count_kv", .uint(UInt64(kvHeadCount))),
            ("\(p).rope.dimension_count", .uint(UInt64(headDim))),
            ("\(p).rope.freq_base", .float(Double(ropeTheta))),
            ("\(p).attention.layer_norm_rms_epsilon", .float(Double(rmsNormEps)))]
        if headSize != nil {
            list += [("\(p).attention.key_length", .uint(UInt64(headDim))), ("\(p).attention.value_length", .uint(UInt64(headDim)))]
        }
        return list
    }

    /// Reads a Hugging Face `config.json` (`LlamaForCausalLM`, `Qwen2ForCausalLM`, `Qwen3ForCausalLM`).
    public init(huggingFaceConfig url: URL) throws {
        guard let data = try? Data(contentsOf: url),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ModelFileError.malformed(url.path, "not a JSON object")
        }
        func int(_ key: String) throws -> Int {
            guard let v = json[key] as? Int else { throw ModelFileError.missingMetadata(key) }
            return v
        }
        let modelType = json["model_type"] as? String ?? "llama"
        guard let arch = ModelArchitecture(huggingFaceModelType: modelType) else {
            throw ModelFileError.unsupported("model_type \(modelType) in \(url.path) (supported: llama, qwen2, qwen3)")
        }
        if let scaling = json["rope_scaling"], !(scaling is NSNull) {
            throw ModelFileError.unsupported("rope_scaling \(scaling) in \(url.path)")
        }
        // transformers ≥ 5 writes {"rope_parameters": {"rope_theta": …, "rope_type": "default"}}.
        let ropeParameters = json["rope_parameters"] as? [String: Any]
        if let type = ropeParameters?["rope_type"] as? String, type != "default" {
            throw ModelFileError.unsupported("rope_type \(type) in \(url.path)")
        }
        if json["use_sliding_window"] as? Bool == true {
            throw ModelFileError.unsupported("sliding-window attention in \(url.path)")
        }
        let theta = (json["rope_theta"] as? Double) ?? (ropeParameters?["rope_theta"] as? Double) ?? 10_000
        let heads = try int("num_attention_heads"), dim = try int("hidden_size")
        let headDim = json["head_dim"] as? Int
        self.init(vocabSize: try int("vocab_size"), dim: dim, hiddenDim: try int("intermediate_size"),
                  layerCount: try int("num_hidden_layers"), headCount: heads,
                  kvHeadCount: json["num_key_value_heads"] as? Int ?? heads,
                  contextLength: json["max_position_embeddings"] as? Int ?? 2048,
                  ropeTheta: Float(theta),
                  rmsNormEps: Float(json["rms_norm_eps"] as? Double ?? 1e-5),
                  tiedEmbeddings: json["tie_word_embeddings"] as? Bool ?? false,
                  architecture: arch,
                  headSize: headDim.flatMap { $0 == dim / heads && dim % heads == 0 ? nil : $0 },
                  // Qwen2 always has the biases (its config has no switch); Llama and Qwen3 say.
                  attentionBias: arch == .qwen2 ? true : (json["attention_bias"] as? Bool ?? false))
        try validate(source: url.path)
    }

    /// Hugging Face `config.json` of this model (what `transformers` needs to load a written checkpoint).
    public var huggingFaceConfigJSON: [String: Any] {
        let names: [ModelArchitecture: (String, String)] = [.llama: ("llama", "LlamaForCausalLM"),
                                                            .qwen2: ("qwen2", "Qwen2ForCausalLM"),
                                                            .qwen3: ("qwen3", "Qwen3ForCausalLM")]
        let (type, cls) = names[architecture]!
        var json: [String: Any] = [
            "model_type": type, "architectures": [cls], "vocab_size": vocabSize, "hidden_size": dim,
            "intermediate_size": hiddenDim, "num_hidden_layers": layerCount, "num_attention_heads": headCount,
            "num_key_value_heads": kvHeadCount, "max_position_embeddings": contextLength, "rope_theta": Double(ropeTheta),
            "rms_norm_eps": Double(rmsNormEps), "tie_word_embeddings": tiedEmbeddings, "hidden_act": "silu",
            "head_dim": headDim, "torch_dtype": "float32"]
        if architecture != .qwen2 { json["attention_bias"] = attentionBias }
        return json
    }

    /// Largest value accepted for any size: far above real Llama models, small enough that every
    /// product the engine and trainer form (vocab · dim, layers · dim · hidden) fits in an Int.
    public static let maxDimension = 1 << 20

    /// Refuses sizes the engine and the trainer (built with -Ounchecked, so no overflow traps) cannot
    /// use safely: zero or negative sizes, heads that do not divide the width, odd head sizes (RoPE
    /// rotates pairs), non-finite RoPE base or epsilon. `source` names the file in the error.
    public func validate(source: String) throws {
        func fail(_ why: String) -> ModelFileError { .malformed(source, "model config: \(why)") }
        let sizes = [("vocab size", vocabSize), ("width", dim), ("feed-forward width", hiddenDim), ("layer count", layerCount),
                     ("head count", headCount), ("kv head count", kvHeadCount), ("context length", contextLength)]
        for (name, value) in sizes where value < 1 || value > Self.maxDimension {
            throw fail("\(name) \(value) is outside 1...\(Self.maxDimension)")
        }
        if let headSize, headSize < 1 || headSize > Self.maxDimension { throw fail("head size \(headSize) is outside 1...\(Self.maxDimension)") }
        guard headSize != nil || dim % headCount == 0 else { throw fail("width \(dim) is not a multiple of the head count \(headCount)") }
        guard headCount % kvHeadCount == 0 else { throw fail("head count \(headCount) is not a multiple of the kv head count \(kvHeadCount)") }
        guard headDim % 2 == 0 else { throw fail("head size \(headDim) is odd (RoPE rotates pairs)") }
        guard ropeTheta.isFinite, ropeTheta > 0 else { throw fail("RoPE base \(ropeTheta) is not a positive number") }
        guard rmsNormEps.isFinite, rmsNormEps >= 0 else { throw fail("RMSNorm epsilon \(rmsNormEps) is not a non-negative number") }
        var total = 0
        for (name, shape) in self.tensors.map({ ($0.name, $0.shape) }) {
            guard let count = GGUFFile.checkedProduct(shape) else { throw fail("tensor \(name) \(shape) is too large") }
            let (sum, overflow) = total.addingReportingOverflow(count)
            guard !overflow, sum <= 1 << 47 else { throw fail("the model has too many parameters") }
            total = sum
        }
    }
}
