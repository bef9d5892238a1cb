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

    init(carving cursor: inout ArenaCursor<Float>, _ s: ActivationShape) {
        self.init(placeholder: cursor.base)
        for (field, count) in Self.table(s) { self[keyPath: field] = cursor.take(count) }
    }
}

/// Hands out consecutive slices of one allocation.
struct ArenaCursor<Element> {
    let base: UnsafeMutablePointer<Element>
    private(set) var used = 0
    init(base: UnsafeMutablePointer<Element>) { self.base = base }
    mutating func take(_ count: Int) -> UnsafeMutablePointer<Element> {
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

    /// What bf16 training stores in bf16: the tensors of a value per token and channel, which are
    /// nearly all of a block's bytes (gate, up and hidden alone are 58% at SmolLM2's shape). rstd,
    /// lse and LoRA's x·Aᵀ are a few values per token and stay fp32; lse also sits in an exponent of
    /// the attention backward, where bf16's 2⁻⁹ relative rounding of an lse near 10 would scale every
    /// recomputed probability by about 2%.
    static var storedInBF16: Set<KeyPath<Self, FloatPointer>> { [
        \.xn1, \.qh, \.kh, \.vh, \.att, \.x2, \.xn2, \.gate, \.up, \.hidden, \.qPreNorm, \.kPreNorm,
    ] }

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

/// Under bf16, one kept block's saved tensors between its forward and its backward: those of
/// `BlockActivations.storedInBF16` rounded to bf16, the others copied as they are. The block runs
/// on an fp32 working copy (`ActivationTensors.blocks[0]`); `pack` stores it after the forward,
/// `unpack` restores it (the bf16 ones widened) before the backward.
struct PackedBlockActivations {
    typealias Field = WritableKeyPath<BlockActivations, FloatPointer>
    let halves: [(field: Field, values: UnsafeMutablePointer<UInt16>, count: Int)]
    let floats: [(field: Field, values: FloatPointer, count: Int)]

    static func sizes(_ s: ActivationShape) -> (floats: Int, halves: Int) {
        let inBF16 = BlockActivations.storedInBF16
        return BlockActivations.table(s).reduce((0, 0)) { sum, entry in
            inBF16.contains(entry.0) ? (sum.0, sum.1 + entry.1) : (sum.0 + entry.1, sum.1)
        }
    }

    init(carving floatCursor: inout ArenaCursor<Float>, _ halfCursor: inout ArenaCursor<UInt16>, _ s: ActivationShape) {
        let inBF16 = BlockActivations.storedInBF16
        var halves: [(Field, UnsafeMutablePointer<UInt16>, Int)] = [], floats: [(Field, FloatPointer, Int)] = []
        for (field, count) in BlockActivations.table(s) where count > 0 {
            precondition(count % s.rows == 0, "saved tensors are a whole number of values per token row")
            if inBF16.contains(field) { halves.append((field, halfCursor.take(count), count)) }
            else { floats.append((field, floatCursor.take(count), count)) }
        }
        self.halves = halves
        self.floats = floats
    }

    /// Stores the first `rows` token rows' worth of each tensor (a smaller micro-batch uses a prefix
    /// of the arena, every tensor's size being a multiple of the rows).
    func pack(_ a: BlockActivations, rows: Int, capacityRows: Int, workers: Int) {
        for (field, values, count) in halves {
            BFloat16Passes.round(a[keyPath: field], into: values, count: count / capacityRows * rows, workers: workers)
        }
        for (field, values, count) in floats { values.update(from: a[keyPath: field], count: count / capacityRows * rows) }
    }

    func unpack(into a: BlockActivations, rows: Int, capacityRows: Int, workers: Int) {
        for (field, values, count) in halves {
            BFloat16Passes.widen(values, into: a[keyPath: field], count: count / capacityRows * rows, workers: workers)
        }
        for (field, values, count) in floats { a[keyPath: field].update(from: values, count: count / capacityRows * rows) }
    }
}

/// Every activation of a training step: stream, block scratch, and the blocks' saved tensors, which
/// are one of
/// - fp32, kept: every block's `BlockActivations`;
/// - recomputed (either precision): one `BlockActivations`, refilled by re-running each forward;
/// - bf16, kept: one fp32 working `BlockActivations` plus every block's `PackedBlockActivations`.
/// fp32 tensors share one allocation, bf16 ones another.
struct ActivationTensors {
    let shape: ActivationShape
    let recompute: Bool
    let precision: TrainingPrecision
    let stream: StreamActivations
    let blocks: [BlockActivations]
    let packed: [PackedBlockActivations]
    let scratch: BlockScratch
    private let arena: FloatBuffer
    private let halfArena: BFloat16Buffer?

    /// Whether the blocks' saved tensors are packed into bf16 between forward and backward.
    static func packs(recompute: Bool, precision: TrainingPrecision) -> Bool { precision == .bf16 && !recompute }

    static func sizes(_ s: ActivationShape, recompute: Bool, precision: TrainingPrecision) -> (floats: Int, halves: Int) {
        let layers = s.config.layerCount
        let packs = Self.packs(recompute: recompute, precision: precision)
        let fp32Blocks = recompute || packs ? 1 : layers
        let packed = packs ? PackedBlockActivations.sizes(s) : (floats: 0, halves: 0)
        return (StreamActivations.floats(s) + fp32Blocks * BlockActivations.floats(s) + BlockScratch.floats(s) + layers * packed.floats,
                layers * packed.halves)
    }

    static func bytes(_ s: ActivationShape, recompute: Bool, precision: TrainingPrecision) -> Int {
        let (floats, halves) = sizes(s, recompute: recompute, precision: precision)
        return floats * MemoryLayout<Float>.size + halves * MemoryLayout<UInt16>.size
    }

    init(_ s: ActivationShape, recompute: Bool, precision: TrainingPrecision) {
        shape = s
        self.recompute = recompute
        self.precision = precision
        let (floats, halves) = Self.sizes(s, recompute: recompute, precision: precision)
        let packs = Self.packs(recompute: recompute, precision: precision)
        arena = FloatBuffer(count: floats)
        halfArena = packs ? BFloat16Buffer(count: halves) : nil
        var cursor = ArenaCursor(base: arena.pointer)
        stream = StreamActivations(carving: &cursor, s)
        blocks = (0..<(recompute || packs ? 1 : s.config.layerCount)).map { _ in BlockActivations(carving: &cursor, s) }
        scratch = BlockScratch(carving: &cursor, s)
        if let halfArena {
            var halfCursor = ArenaCursor(base: halfArena.pointer)
            packed = (0..<s.config.layerCount).map { _ in PackedBlockActivations(carving: &cursor, &halfCursor, s) }
            precondition(halfCursor.used == halfArena.count, "bf16 activation table and arena disagree")
        } else {
            packed = []
        }
        precondition(cursor.used == arena.count, "activation table and arena disagree")
    }

    func block(_ l: Int) -> BlockActivations { blocks[blocks.count == 1 ? 0 : l] }
    func residual(_ l: Int) -> FloatPointer { stream.residual(l, rows: shape.rows, dim: shape.config.dim) }

    /// After block `l`'s forward: keeps its saved tensors (in bf16) while later blocks reuse the working copy.
    func pack(_ l: Int, rows: Int) {
        guard !packed.isEmpty else { return }
        packed[l].pack(blocks[0], rows: rows, capacityRows: shape.rows, workers: shape.workers)
    }

    /// Before block `l`'s backward: puts its saved tensors back into the working copy.
    func unpack(_ l: Int, rows: Int) {
        guard !packed.isEmpty else { return }
        packed[l].unpack(into: blocks[0], rows: rows, capacityRows: shape.rows, workers: shape.workers)
    }
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
