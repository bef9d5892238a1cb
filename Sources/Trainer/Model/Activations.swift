import LlamaModel

/// Sizes that decide how large every activation tensor is for one micro-batch.
struct ActivationShape {
    var config: LlamaConfig
    var batch: Int
    var seq: Int
    var lora: LoRAConfig?
    var workers: Int

    var rows: Int { batch * seq }
    var attention: AttentionShape {
        AttentionShape(batch: batch, seq: seq, heads: config.headCount, kvHeads: config.kvHeadCount, headDim: config.headDim)
    }
    func loraFloats(_ target: LoRATarget) -> Int {
        guard let lora, lora.targets.contains(target) else { return 0 }
        return rows * lora.rank
    }
}

typealias FloatPointer = UnsafeMutablePointer<Float>

/// A group of named tensors carved, in the fixed order of `table`, out of one allocation
/// (llm.c's `ActivationTensors` with `fill_in_activation_sizes` + `malloc_and_point_activations`:
/// the table is the one place that says which fields exist, in which order, of which size).
protocol CarvedTensors {
    /// Every field pointing at `placeholder`; `init(carving:)` then points each at its own slice.
    init(placeholder: FloatPointer)
    static func table(_ s: ActivationShape) -> [(WritableKeyPath<Self, FloatPointer>, Int)]
}

extension CarvedTensors {
    static func floats(_ s: ActivationShape) -> Int { table(s).reduce(0) { $0 + $1.1 } }

    init(carving cursor: inout ArenaCursor, _ s: ActivationShape) {
        self.init(placeholder: cursor.base)
        for (field, count) in Self.table(s) { self[keyPath: field] = cursor.take(count) }
    }
}

/// Hands out consecutive slices of one allocation.
struct ArenaCursor {
    let base: FloatPointer
    private(set) var used = 0
    init(base: FloatPointer) { self.base = base }
    mutating func take(_ count: Int) -> FloatPointer {
        defer { used += count }
        return base + used
    }
}

/// What one decoder block saves in its forward for its backward. Attention keeps only its
/// per-row log-sum-exp (B, H, T), never the probabilities.
struct BlockActivations: CarvedTensors {
    var xn1, rstd1, qh, kh, vh, lse, att, x2, xn2, rstd2, gate, up, hidden: FloatPointer
    /// Qwen3: q and k before their per-head RMSNorm, and each head's rstd (empty otherwise).
    var qPreNorm, qRstd, kPreNorm, kRstd: FloatPointer
    /// x·Aᵀ of each adapted linear layer (empty when the layer has no adapter).
    var loraQuery, loraKey, loraValue, loraOutput, loraGate, loraUp, loraDown: FloatPointer

    init(placeholder p: FloatPointer) {
        (xn1, rstd1, qh, kh, vh, lse, att, x2, xn2, rstd2, gate, up, hidden) = (p, p, p, p, p, p, p, p, p, p, p, p, p)
        (loraQuery, loraKey, loraValue, loraOutput, loraGate, loraUp, loraDown) = (p, p, p, p, p, p, p)
        (qPreNorm, qRstd, kPreNorm, kRstd) = (p, p, p, p)
    }

    static func table(_ s: ActivationShape) -> [(WritableKeyPath<Self, FloatPointer>, Int)] {
        let n = s.rows, c = s.config.dim, q = s.config.queryDim, kv = s.config.kvDim, f = s.config.hiddenDim
        let norms = s.config.queryKeyNorm ? 1 : 0
        return [(\.xn1, n * c), (\.rstd1, n), (\.qh, n * q), (\.kh, n * kv), (\.vh, n * kv),
                (\.lse, s.batch * s.config.headCount * s.seq), (\.att, n * q), (\.x2, n * c), (\.xn2, n * c), (\.rstd2, n),
                (\.gate, n * f), (\.up, n * f), (\.hidden, n * f),
                (\.qPreNorm, norms * n * q), (\.qRstd, norms * n * s.config.headCount),
                (\.kPreNorm, norms * n * kv), (\.kRstd, norms * n * s.config.kvHeadCount),
                (\.loraQuery, s.loraFloats(.query)), (\.loraKey, s.loraFloats(.key)), (\.loraValue, s.loraFloats(.value)),
                (\.loraOutput, s.loraFloats(.output)), (\.loraGate, s.loraFloats(.gate)), (\.loraUp, s.loraFloats(.up)),
                (\.loraDown, s.loraFloats(.down))]
    }

    func loraSaved(_ target: LoRATarget) -> FloatPointer {
        switch target {
        case .query: loraQuery
        case .key: loraKey
        case .value: loraValue
        case .output: loraOutput
        case .gate: loraGate
        case .up: loraUp
        case .down: loraDown
        }
    }
}

/// Scratch for one block at a time: the forward's token-major projections and head-major
/// attention output, and every gradient of the backward. Shared by all blocks.
struct BlockScratch: CarvedTensors {
    var q, k, v, attHeads: FloatPointer
    var dx2, dxn, datt, dattHeads, dqh, dq, dkh, dvh, dk, dv, dhidden, dgate, dup, lora: FloatPointer
    /// Qwen3: gradients of q and k before their per-head RMSNorm (empty otherwise).
    var dqPreNorm, dkPreNorm: FloatPointer
    var attentionTiles, attentionDelta, attentionPartials: FloatPointer

    init(placeholder p: FloatPointer) {
        (q, k, v, attHeads) = (p, p, p, p)
        (dx2, dxn, datt, dattHeads, dqh, dq, dkh, dvh, dk, dv, dhidden, dgate, dup, lora) = (p, p, p, p, p, p, p, p, p, p, p, p, p, p)
        (attentionTiles, attentionDelta, attentionPartials) = (p, p, p)
        (dqPreNorm, dkPreNorm) = (p, p)
    }

    static func table(_ s: ActivationShape) -> [(WritableKeyPath<Self, FloatPointer>, Int)] {
        let n = s.rows, c = s.config.dim, q = s.config.queryDim, kv = s.config.kvDim, f = s.config.hiddenDim
        let att = AttentionWorkspace.floats(shape: s.attention, workers: s.workers)
        let norms = s.config.queryKeyNorm ? 1 : 0
        return [(\.q, n * q), (\.k, n * kv), (\.v, n * kv), (\.attHeads, n * q),
                (\.dx2, n * c), (\.dxn, n * c), (\.datt, n * q), (\.dattHeads, n * q), (\.dqh, n * q), (\.dq, n * q),
                (\.dqPreNorm, norms * n * q), (\.dkPreNorm, norms * n * kv),
                (\.dkh, n * kv), (\.dvh, n * kv), (\.dk, n * kv), (\.dv, n * kv),
                (\.dhidden, n * f), (\.dgate, n * f), (\.dup, n * f), (\.lora, n * (s.lora?.rank ?? 0)),
                (\.attentionTiles, att.tiles), (\.attentionDelta, att.delta), (\.attentionPartials, att.dqPartials)]
    }

    func attentionWorkspace(workers: Int) -> AttentionWorkspace {
        AttentionWorkspace(tiles: attentionTiles, delta: attentionDelta, dqPartials: attentionPartials, workers: workers)
    }
}

/// The whole model's tensors outside the blocks: the residual stream at every block boundary
/// (kept even with recomputation: it is each block's input), the final norm, and the output
/// head's chunk of rows and logits.
struct StreamActivations: CarvedTensors {
    var residuals, finalNorm, finalRstd, dfinal, dres, headRows, logits: FloatPointer

    init(placeholder p: FloatPointer) { (residuals, finalNorm, finalRstd, dfinal, dres, headRows, logits) = (p, p, p, p, p, p, p) }

    static let headChunk = 256

    static func table(_ s: ActivationShape) -> [(WritableKeyPath<Self, FloatPointer>, Int)] {
        let n = s.rows, c = s.config.dim
        return [(\.residuals, (s.config.layerCount + 1) * n * c), (\.finalNorm, n * c), (\.finalRstd, n), (\.dfinal, n * c),
                (\.dres, n * c), (\.headRows, headChunk * c), (\.logits, headChunk * s.config.vocabSize)]
    }

    /// Input of block `l` (output of block l − 1); index `layerCount` is the last block's output.
    func residual(_ l: Int, rows n: Int, dim c: Int) -> FloatPointer { residuals + l * n * c }
}

/// Every activation of a training step, in one allocation: stream, kept blocks (all of them, or
/// one when each block is recomputed in the backward), block scratch.
struct ActivationTensors {
    let shape: ActivationShape
    let recompute: Bool
    let stream: StreamActivations
    let blocks: [BlockActivations]
    let scratch: BlockScratch
    private let arena: FloatBuffer

    static func floats(_ s: ActivationShape, recompute: Bool) -> Int {
        StreamActivations.floats(s) + (recompute ? 1 : s.config.layerCount) * BlockActivations.floats(s) + BlockScratch.floats(s)
    }

    init(_ s: ActivationShape, recompute: Bool) {
        shape = s
        self.recompute = recompute
        arena = FloatBuffer(count: Self.floats(s, recompute: recompute))
        var cursor = ArenaCursor(base: arena.pointer)
        stream = StreamActivations(carving: &cursor, s)
        blocks = (0..<(recompute ? 1 : s.config.layerCount)).map { _ in BlockActivations(carving: &cursor, s) }
        scratch = BlockScratch(carving: &cursor, s)
        precondition(cursor.used == arena.count, "activation table and arena disagree")
    }

    func block(_ l: Int) -> BlockActivations { blocks[recompute ? 0 : l] }
    func residual(_ l: Int) -> FloatPointer { stream.residual(l, rows: shape.rows, dim: shape.config.dim) }
}

/// Copies head-major (B, H, T, hd) back to token-major rows (B·T, H·hd).
func headsToTokens(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, batch: Int, seq: Int, heads: Int, headDim: Int) {
    for b in 0..<batch {
        for h in 0..<heads {
            for t in 0..<seq {
                (out + (b * seq + t) * heads * headDim + h * headDim)
                    .update(from: x + ((b * heads + h) * seq + t) * headDim, count: headDim)
            }
        }
    }
}

/// Token-major rows to head-major, the transpose of `headsToTokens`.
func tokensToHeads(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, batch: Int, seq: Int, heads: Int, headDim: Int) {
    for b in 0..<batch {
        for h in 0..<heads {
            for t in 0..<seq {
                (out + ((b * heads + h) * seq + t) * headDim)
                    .update(from: x + (b * seq + t) * heads * headDim + h * headDim, count: headDim)
            }
        }
    }
}
