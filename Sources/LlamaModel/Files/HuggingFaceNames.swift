/// Hugging Face (transformers `LlamaForCausalLM`, `Qwen2ForCausalLM`, `Qwen3ForCausalLM`) tensor names and q/k row order, mapped to
/// this project's GGUF conventions.
///
/// HF stores each attention head's q/k rows half-split (first the x[0..<d/2] halves, then the
/// x[d/2..<d] halves, "NeoX" RoPE); GGUF interleaves them as pairs (x[2i], x[2i+1]). llama.cpp's
/// converter permutes rows on the way to GGUF; `toGGUFRows`/`toHFRows` do the same and its inverse.
public enum HuggingFaceNames {
    public static func ggufName(_ hf: String) -> String? {
        switch hf {
        case "model.embed_tokens.weight": return LlamaTensorName.tokenEmbedding
        case "model.norm.weight": return LlamaTensorName.outputNorm
        case "lm_head.weight": return LlamaTensorName.output
        default: break
        }
        let parts = hf.split(separator: ".")
        guard parts.count >= 4, parts[0] == "model", parts[1] == "layers", let l = Int(parts[2]) else { return nil }
        switch parts[3...].joined(separator: ".") {
        case "input_layernorm.weight": return LlamaTensorName.attentionNorm(l)
        case "self_attn.q_proj.weight": return LlamaTensorName.query(l)
        case "self_attn.k_proj.weight": return LlamaTensorName.key(l)
        case "self_attn.v_proj.weight": return LlamaTensorName.value(l)
        case "self_attn.q_proj.bias": return LlamaTensorName.queryBias(l)
        case "self_attn.k_proj.bias": return LlamaTensorName.keyBias(l)
        case "self_attn.v_proj.bias": return LlamaTensorName.valueBias(l)
        case "self_attn.q_norm.weight": return LlamaTensorName.queryNorm(l)
        case "self_attn.k_norm.weight": return LlamaTensorName.keyNorm(l)
        case "self_attn.o_proj.weight": return LlamaTensorName.attentionOutput(l)
        case "post_attention_layernorm.weight": return LlamaTensorName.ffnNorm(l)
        case "mlp.gate_proj.weight": return LlamaTensorName.ffnGate(l)
        case "mlp.up_proj.weight": return LlamaTensorName.ffnUp(l)
        case "mlp.down_proj.weight": return LlamaTensorName.ffnDown(l)
        default: return nil
        }
    }

    public static func hfName(_ gguf: String) -> String? {
        switch gguf {
        case LlamaTensorName.tokenEmbedding: return "model.embed_tokens.weight"
        case LlamaTensorName.outputNorm: return "model.norm.weight"
        case LlamaTensorName.output: return "lm_head.weight"
        default: break
        }
        let parts = gguf.split(separator: ".")
        guard parts.count >= 3, parts[0] == "blk", let l = Int(parts[1]) else { return nil }
        let suffix: String
        switch parts[2...].joined(separator: ".") {
        case "attn_norm.weight": suffix = "input_layernorm.weight"
        case "attn_q.weight": suffix = "self_attn.q_proj.weight"
        case "attn_k.weight": suffix = "self_attn.k_proj.weight"
        case "attn_v.weight": suffix = "self_attn.v_proj.weight"
        case "attn_q.bias": suffix = "self_attn.q_proj.bias"
        case "attn_k.bias": suffix = "self_attn.k_proj.bias"
        case "attn_v.bias": suffix = "self_attn.v_proj.bias"
        case "attn_q_norm.weight": suffix = "self_attn.q_norm.weight"
        case "attn_k_norm.weight": suffix = "self_attn.k_norm.weight"
        case "attn_output.weight": suffix = "self_attn.o_proj.weight"
        case "ffn_norm.weight": suffix = "post_attention_layernorm.weight"
        case "ffn_gate.weight": suffix = "mlp.gate_proj.weight"
        case "ffn_up.weight": suffix = "mlp.up_proj.weight"
        case "ffn_down.weight": suffix = "mlp.down_proj.weight"
        default: return nil
        }
        return "model.layers.\(l).\(suffix)"
    }

    /// How many heads a GGUF tensor's rows are grouped in, if it needs the RoPE row permutation.
    public static func ropeHeads(ggufName: String, config: LlamaConfig) -> Int? { config.ropeHeads(ofTensor: ggufName) }

    /// Half-split values of tensor `name` (q/k weights, biases, norm scales) → interleaved rows;
    /// other tensors unchanged.
    public static func toInterleaved(_ values: [Float], tensor name: String, config: LlamaConfig) -> [Float] {
        guard let heads = config.ropeHeads(ofTensor: name) else { return values }
        return toGGUFRows(values, heads: heads, columns: values.count / (heads * config.headDim))
    }

    /// Inverse of `toInterleaved`.
    public static func toHalfSplit(_ values: [Float], tensor name: String, config: LlamaConfig) -> [Float] {
        guard let heads = config.ropeHeads(ofTensor: name) else { return values }
        return toHFRows(values, heads: heads, columns: values.count / (heads * config.headDim))
    }

    /// HF half-split rows → GGUF interleaved rows. `values` is (heads·headDim, columns).
    public static func toGGUFRows(_ values: [Float], heads: Int, columns: Int) -> [Float] {
        permuteRows(values, heads: heads, columns: columns, toInterleaved: true)
    }

    /// GGUF interleaved rows → HF half-split rows.
    public static func toHFRows(_ values: [Float], heads: Int, columns: Int) -> [Float] {
        permuteRows(values, heads: heads, columns: columns, toInterleaved: false)
    }

    private static func permuteRows(_ values: [Float], heads: Int, columns: Int, toInterleaved: Bool) -> [Float] {
        let rows = values.count / columns
        let headDim = rows / heads
        let half = headDim / 2
        var out = [Float](repeating: 0, count: values.count)
        for h in 0..<heads {
            for i in 0..<half {
                for j in 0..<2 {
                    let interleaved = h * headDim + 2 * i + j
                    let split = h * headDim + j * half + i
                    let (src, dst) = toInterleaved ? (split, interleaved) : (interleaved, split)
                    for c in 0..<columns { out[dst * columns + c] = values[src * columns + c] }
                }
            }
        }
        return out
    }
}
