import Foundation

extension LlamaConfig {
    /// Reads the hyper-parameters from GGUF `llama.*` metadata.
    public init(gguf: GGUFFile) throws {
        let arch = gguf["general.architecture"]?.stringValue ?? "llama"
        guard arch == "llama" else { throw ModelFileError.unsupported("architecture \(arch) of \(gguf.url.path) (only llama)") }
        func int(_ key: String) throws -> Int {
            guard let v = gguf["llama.\(key)"]?.intValue else { throw ModelFileError.malformed(gguf.url.path, "no integer llama.\(key) metadata") }
            return v
        }
        let dim = try int("embedding_length")
        let heads = try int("attention.head_count")
        guard heads > 0 else { throw ModelFileError.malformed(gguf.url.path, "llama.attention.head_count is \(heads)") }
        let vocab = gguf["llama.vocab_size"]?.intValue ?? gguf["tokenizer.ggml.tokens"]?.arrayValue?.count
            ?? gguf.info(LlamaTensorName.tokenEmbedding)?.shape.first
        guard let vocab else { throw ModelFileError.missingMetadata("llama.vocab_size") }
        if let rot = gguf["llama.rope.dimension_count"]?.intValue, rot != dim / heads {
            throw ModelFileError.unsupported("partial rotary embedding (\(rot) of \(dim / heads) dimensions) in \(gguf.url.path)")
        }
        self.init(vocabSize: vocab, dim: dim, hiddenDim: try int("feed_forward_length"), layerCount: try int("block_count"),
                  headCount: heads, kvHeadCount: gguf["llama.attention.head_count_kv"]?.intValue ?? heads,
                  contextLength: gguf["llama.context_length"]?.intValue ?? 2048,
                  ropeTheta: Float(gguf["llama.rope.freq_base"]?.doubleValue ?? 10_000),
                  rmsNormEps: Float(gguf["llama.attention.layer_norm_rms_epsilon"]?.doubleValue ?? 1e-5),
                  tiedEmbeddings: gguf.info(LlamaTensorName.output) == nil)
        try validate(source: gguf.url.path)
    }

    /// GGUF metadata entries describing this configuration (for writers).
    public var ggufMetadata: [(String, GGUFValue)] {
        [("general.architecture", .string("llama")),
         ("llama.vocab_size", .uint(UInt64(vocabSize))),
         ("llama.context_length", .uint(UInt64(contextLength))),
         ("llama.embedding_length", .uint(UInt64(dim))),
         ("llama.feed_forward_length", .uint(UInt64(hiddenDim))),
         ("llama.block_count", .uint(UInt64(layerCount))),
         ("llama.attention.head_count", .uint(UInt64(headCount))),
         ("llama.attention.head_count_kv", .uint(UInt64(kvHeadCount))),
         ("llama.rope.dimension_count", .uint(UInt64(headDim))),
         ("llama.rope.freq_base", .float(Double(ropeTheta))),
         ("llama.attention.layer_norm_rms_epsilon", .float(Double(rmsNormEps)))]
    }

    /// Reads a Hugging Face `config.json` (LlamaForCausalLM).
    public init(huggingFaceConfig url: URL) throws {
        guard let data = try? Data(contentsOf: url),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ModelFileError.malformed(url.path, "not a JSON object")
        }
        func int(_ key: String) throws -> Int {
            guard let v = json[key] as? Int else { throw ModelFileError.missingMetadata(key) }
            return v
        }
        let heads = try int("num_attention_heads")
        self.init(vocabSize: try int("vocab_size"), dim: try int("hidden_size"), hiddenDim: try int("intermediate_size"),
                  layerCount: try int("num_hidden_layers"), headCount: heads,
                  kvHeadCount: json["num_key_value_heads"] as? Int ?? heads,
                  contextLength: json["max_position_embeddings"] as? Int ?? 2048,
                  ropeTheta: Float(json["rope_theta"] as? Double ?? 10_000),
                  rmsNormEps: Float(json["rms_norm_eps"] as? Double ?? 1e-5),
                  tiedEmbeddings: json["tie_word_embeddings"] as? Bool ?? false)
        try validate(source: url.path)
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
        guard dim % headCount == 0 else { throw fail("width \(dim) is not a multiple of the head count \(headCount)") }
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
