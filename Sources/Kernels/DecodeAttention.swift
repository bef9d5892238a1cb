import CKernels

/// Attention of one query row over a span of an fp32 KV cache, every head (`nn_attention_decode`),
/// for single-token decoding. The AVX2 level scores eight positions per horizontal reduction; the
/// scalar level is the reference it is tested against.
public enum DecodeAttention {
    /// Layout of one model's heads.
    public struct Shape: Sendable {
        public var heads, kvHeads, headDim: Int
        public init(heads: Int, kvHeads: Int, headDim: Int) { self.heads = heads; self.kvHeads = kvHeads; self.headDim = headDim }
        /// Floats per cached position (all kv heads).
        public var kvWidth: Int { kvHeads * headDim }
    }

    /// `keys`/`values` point at the first of `count` positions (rows of `shape.kvWidth` floats).
    /// Scores of head h go to `scores + h·scoreStride`. With `stats` nil `out` is normalised; otherwise
    /// it is Σ exp(s − max)·v and stats[2h], stats[2h+1] get (max, Σ exp(s − max)).
    public static func run(_ out: UnsafeMutablePointer<Float>, q: UnsafePointer<Float>, keys: UnsafePointer<Float>,
                           values: UnsafePointer<Float>, count: Int, shape: Shape, scores: UnsafeMutablePointer<Float>,
                           scoreStride: Int, stats: UnsafeMutablePointer<Float>?, level: KernelLevel = .best) {
        let status = nn_attention_decode(level.rawValue, q, Int32(shape.heads), Int32(shape.kvHeads), Int32(shape.headDim),
                                         keys, values, shape.kvWidth, Int32(count), 1 / Float(shape.headDim).squareRoot(),
                                         scores, scoreStride, out, stats)
        precondition(status == 0, "decode attention \(level) refused \(shape) over \(count) positions")
    }
}
