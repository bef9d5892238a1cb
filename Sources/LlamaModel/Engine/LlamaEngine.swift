import Foundation
import Kernels
import LanguageModels

/// Llama-architecture forward pass (also Qwen2/Qwen3: `LlamaConfig.architecture`) on the CPU in fp32 over OpenBLAS, with a KV cache.
///
/// A prompt is run as one batch (every linear layer is one sgemm over all its tokens); decoding
/// appends one token at a time against the cache (sgemv, memory-bound). Not thread-safe: one
/// caller at a time (`LocalChatModel` serialises requests).
///
/// The cache has several slots (`cacheSlots`), so prompts of different roles that alternate, each
/// opening with its own long system prompt, each keep their prefix cached; `prefill` picks the
/// slot (see there) and everything else (`cachedTokens`, `append`, `truncate`, …) acts on the slot
/// it picked last. A slot holds about `2 · layers · kvDim · 4` bytes per cached token (46 KB for
/// SmolLM2-135M), allocated only as it fills.
///
/// Conventions: weights (out, in) row-major; q/k rows in GGUF order, so RoPE rotates interleaved
/// pairs (x[2i], x[2i+1]) by pos·θ^(-2i/headDim); grouped-query attention shares each kv head
/// across `headCount / kvHeadCount` query heads; SwiGLU MLP; RMSNorm with a learned scale. Qwen2 adds
/// a bias to q, k and v; Qwen3 RMS-normalises every q and k head (learned `headDim` scale) before RoPE.
public final class LlamaEngine: @unchecked Sendable {
    public let config: LlamaConfig
    /// Most positions the cache will hold (≤ the model's context length).
    public let maxContext: Int

    /// Tokens whose keys and values are in the active slot, in order.
    public var cachedTokens: [Int] { slot.tokens }
    /// Logits after the last cached token of the active slot (empty when it is empty).
    public internal(set) var lastLogits: [Float] {
        get { slot.lastLogits }
        set { slot.lastLogits = newValue }
    }

    struct Layer {
        var attentionNorm, query, key, value, attentionOutput, ffnNorm, gate, up, down: UnsafeMutablePointer<Float>
        /// Qwen2's projection biases, Qwen3's per-head q/k norm scales; nil where the family has none.
        var queryBias, keyBias, valueBias, queryNorm, keyNorm: UnsafeMutablePointer<Float>?
    }

    /// Weights read by single-token decoding. Decode is memory-bound, so reading fewer bytes per
    /// weight is most of its speed; prompts and scored continuations always run in fp32.
    /// - `quantized`: the model file's own blocks (Q4_0/Q4_1/Q8_0; other encodings are quantized
    ///   to Q8_0 once at load) times the activation quantized to int8 per 32 values, with the
    ///   instruction set picked by cpuid (`KernelLevel.best`). Logits differ from fp32 by the
    ///   activation rounding only, as in llama.cpp.
    /// - `bf16`: BF16 copies of the dequantized weights (2 bytes per weight).
    /// - `fp32`: the dequantized weights through sgemv (4 bytes per weight).
    public enum DecodeWeights: String, Sendable, CaseIterable { case fp32, bf16, quantized }
    public let decodeWeights: DecodeWeights
    /// Instruction-set level of the quantized decode kernels: the best this CPU has (cpuid), unless a
    /// benchmark asks for a lower one to show on one machine what an older CPU's path does.
    public var kernelLevel: KernelLevel = .best {
        didSet { precondition(kernelLevel.isSupported, "\(kernelLevel) kernels cannot run on this CPU") }
    }

    struct QuantizedLayer { var query, key, value, attentionOutput, gate, up, down: QuantizedMatrix }
    var quantizedLayers: [QuantizedLayer] = []
    var quantizedOutput: QuantizedMatrix?
    var quantizedInput: QuantizedActivation?
    var quantizedHidden: QuantizedActivation?
    /// Set when the attention output is not `dim` wide (Qwen3-0.6B: 16 heads of 128 over a width of 1024).
    var quantizedAttention: QuantizedActivation?

    struct CompactLayer { var query, key, value, attentionOutput, gate, up, down: CompactMatrix }
    private var compactLayers: [CompactLayer] = []
    private var compactOutput: CompactMatrix?

    private let storage: UnsafeMutablePointer<Float>
    let embedding: UnsafeMutablePointer<Float>
    let outputNorm: UnsafeMutablePointer<Float>
    private let output: UnsafeMutablePointer<Float>
    let layers: [Layer]

    /// The prefix caches; `activeSlot` indexes the one the cache API works on.
    let slots: [KVSlot]
    public internal(set) var activeSlot = 0
    var slot: KVSlot { slots[activeSlot] }
    /// Counts prefills, to find the least recently used slot.
    var useCounter: UInt64 = 0
    /// Prompt tokens the last `prefill` found already cached (not recomputed).
    public internal(set) var lastPrefillReusedTokens = 0
    var scratch = Scratch()

    /// Builds the engine from tensors given by name; `fill(name, destination, count)` writes one
    /// tensor's Float values. Used with GGUF (dequantising straight into place) and `LlamaWeights`.
    /// `quantize(name, fp32Values, rows, columns)` gives the decode copy of a 2-D weight when
    /// `decodeWeights` is `.quantized`.
    init(config: LlamaConfig, maxContext: Int?, decodeWeights: DecodeWeights, cacheSlots: Int,
         fill: (String, UnsafeMutablePointer<Float>, Int) throws -> Void,
         quantize: (String, UnsafePointer<Float>, Int, Int) throws -> QuantizedMatrix) throws {
        guard cacheSlots >= 1 else { throw ModelFileError.malformed("engine options", "cacheSlots must be at least 1, got \(cacheSlots)") }
        if let maxContext, maxContext < 1 { throw ModelFileError.malformed("engine options", "maxContext must be at least 1, got \(maxContext)") }
        try config.validate(source: "engine config")
        self.config = config
        slots = (0..<cacheSlots).map { _ in KVSlot() }
        self.decodeWeights = decodeWeights
        self.maxContext = min(maxContext ?? config.contextLength, config.contextLength)
        let shapes = config.tensors.map { ($0.name, $0.shape) }
        // One allocation, each tensor 64-byte aligned.
        var offsets: [String: Int] = [:]
        var total = 0
        for (name, shape) in shapes { offsets[name] = total; total += (shape.reduce(1, *) + 15) / 16 * 16 }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: total * 4, alignment: 64)
        let base = raw.bindMemory(to: Float.self, capacity: total)
        do {
            for (name, shape) in shapes { try fill(name, base + offsets[name]!, shape.reduce(1, *)) }
        } catch {
            raw.deallocate()
            throw error
        }
        storage = base
        func t(_ name: String) -> UnsafeMutablePointer<Float> { base + offsets[name]! }
        embedding = t(LlamaTensorName.tokenEmbedding)
        outputNorm = t(LlamaTensorName.outputNorm)
        output = config.tiedEmbeddings ? embedding : t(LlamaTensorName.output)
        func optional(_ name: String) -> UnsafeMutablePointer<Float>? { offsets[name].map { base + $0 } }
        layers = (0..<config.layerCount).map { l in
            Layer(attentionNorm: t(LlamaTensorName.attentionNorm(l)), query: t(LlamaTensorName.query(l)),
                  key: t(LlamaTensorName.key(l)), value: t(LlamaTensorName.value(l)),
                  attentionOutput: t(LlamaTensorName.attentionOutput(l)), ffnNorm: t(LlamaTensorName.ffnNorm(l)),
                  gate: t(LlamaTensorName.ffnGate(l)), up: t(LlamaTensorName.ffnUp(l)), down: t(LlamaTensorName.ffnDown(l)),
                  queryBias: optional(LlamaTensorName.queryBias(l)), keyBias: optional(LlamaTensorName.keyBias(l)),
                  valueBias: optional(LlamaTensorName.valueBias(l)), queryNorm: optional(LlamaTensorName.queryNorm(l)),
                  keyNorm: optional(LlamaTensorName.keyNorm(l)))
        }
        if decodeWeights == .bf16 {
            let c = config
            func compact(_ w: UnsafeMutablePointer<Float>, _ rows: Int, _ cols: Int) -> CompactMatrix {
                CompactMatrix(w, rows: rows, columns: cols, format: .bf16)
            }
            compactLayers = layers.map { l in
                CompactLayer(query: compact(l.query, c.queryDim, c.dim), key: compact(l.key, c.kvDim, c.dim),
                             value: compact(l.value, c.kvDim, c.dim), attentionOutput: compact(l.attentionOutput, c.dim, c.queryDim),
                             gate: compact(l.gate, c.hiddenDim, c.dim), up: compact(l.up, c.hiddenDim, c.dim),
                             down: compact(l.down, c.dim, c.hiddenDim))
            }
            compactOutput = compact(output, c.vocabSize, c.dim)
        }
        if decodeWeights == .quantized {
            let c = config
            do {
                quantizedLayers = try (0..<c.layerCount).map { l in
                    let w = layers[l]
                    return QuantizedLayer(
                        query: try quantize(LlamaTensorName.query(l), w.query, c.queryDim, c.dim),
                        key: try quantize(LlamaTensorName.key(l), w.key, c.kvDim, c.dim),
                        value: try quantize(LlamaTensorName.value(l), w.value, c.kvDim, c.dim),
                        attentionOutput: try quantize(LlamaTensorName.attentionOutput(l), w.attentionOutput, c.dim, c.queryDim),
                        gate: try quantize(LlamaTensorName.ffnGate(l), w.gate, c.hiddenDim, c.dim),
                        up: try quantize(LlamaTensorName.ffnUp(l), w.up, c.hiddenDim, c.dim),
                        down: try quantize(LlamaTensorName.ffnDown(l), w.down, c.dim, c.hiddenDim))
                }
                quantizedOutput = try quantize(c.tiedEmbeddings ? LlamaTensorName.tokenEmbedding : LlamaTensorName.output,
                                               output, c.vocabSize, c.dim)
            } catch {
                storage.deallocate()
                throw error
            }
            quantizedInput = QuantizedActivation(count: c.dim)
            quantizedHidden = QuantizedActivation(count: c.hiddenDim)
            if c.queryDim != c.dim { quantizedAttention = QuantizedActivation(count: c.queryDim) }
        }
    }

    /// Q8_0 blocks of fp32 values (for weights the file does not hold in a quantized encoding).
    static func quantizedQ8(_ values: UnsafePointer<Float>, rows: Int, columns: Int) -> QuantizedMatrix {
        let bytes = Quantize.encode(Array(UnsafeBufferPointer(start: values, count: rows * columns)), as: .q8_0)
        return bytes.withUnsafeBytes { QuantizedMatrix(format: .q8_0, rows: rows, columns: columns, bytes: $0.baseAddress!) }
    }

    /// Whether decoding can read quantized weights of this shape (rows of whole 32-value blocks).
    static func canQuantize(_ config: LlamaConfig) -> Bool {
        config.dim % 32 == 0 && config.hiddenDim % 32 == 0 && config.queryDim % 32 == 0
    }

    /// `cacheSlots`: how many prompt prefixes stay cached at once (see `prefill`).
    public convenience init(weights: LlamaWeights, maxContext: Int? = nil, decodeWeights: DecodeWeights = .fp32,
                            cacheSlots: Int = 4) throws {
        try weights.validate()
        try self.init(config: weights.config, maxContext: maxContext, decodeWeights: decodeWeights,
                      cacheSlots: cacheSlots) { name, dest, count in
            let values = try weights.tensor(name)
            values.withUnsafeBufferPointer { dest.update(from: $0.baseAddress!, count: count) }
        } quantize: { _, values, rows, columns in
            Self.quantizedQ8(values, rows: rows, columns: columns)
        }
    }

    /// Loads a GGUF model, dequantising every weight to fp32. `cacheSlots`: how many prompt
    /// prefixes stay cached at once (see `prefill`).
    public convenience init(gguf file: GGUFFile, maxContext: Int? = nil, decodeWeights: DecodeWeights = .fp32,
                            cacheSlots: Int = 4) throws {
        let config = try LlamaConfig(gguf: file)
        try LlamaWeights.checkTensors(of: file, for: config)
        try self.init(config: config, maxContext: maxContext, decodeWeights: decodeWeights,
                      cacheSlots: cacheSlots) { name, dest, count in
            guard let info = file.info(name) else { throw ModelFileError.missingTensor(name) }
            let expected = config.shape(ofTensor: name)!
            guard info.shape == expected else { throw ModelFileError.shapeMismatch(name, expected: expected, found: info.shape) }
            Dequantize.decode(info.type, from: file.rawData(info).baseAddress!, count: count, into: dest)
            if config.architecture.ggufRowsAreHalfSplit, config.ropeHeads(ofTensor: name) != nil {
                let permuted = HuggingFaceNames.toInterleaved(Array(UnsafeBufferPointer(start: dest, count: count)),
                                                              tensor: name, config: config)
                permuted.withUnsafeBufferPointer { dest.update(from: $0.baseAddress!, count: count) }
            }
        } quantize: { name, values, rows, columns in
            // Decode reads the file's own blocks when they are in a format the kernels take.
            if let info = file.info(name), let format = QuantizedFormat(rawValue: info.type.rawValue) {
                let raw = file.rawData(info).baseAddress!
                if config.architecture.ggufRowsAreHalfSplit, let heads = config.ropeHeads(ofTensor: name) {
                    // Whole rows of blocks move, as the fp32 rows do in `fill`.
                    let rowBytes = columns / 32 * format.blockBytes
                    let order = HuggingFaceNames.toGGUFRows((0..<rows).map(Float.init), heads: heads, columns: 1)
                    var bytes = [UInt8](repeating: 0, count: rows * rowBytes)
                    bytes.withUnsafeMutableBytes { out in
                        for (r, source) in order.enumerated() {
                            (out.baseAddress! + r * rowBytes).copyMemory(from: raw + Int(source) * rowBytes, byteCount: rowBytes)
                        }
                    }
                    return bytes.withUnsafeBytes { QuantizedMatrix(format: format, rows: rows, columns: columns, bytes: $0.baseAddress!) }
                }
                return QuantizedMatrix(format: format, rows: rows, columns: columns, bytes: raw)
            }
            return Self.quantizedQ8(values, rows: rows, columns: columns)
        }
    }

    deinit {
        storage.deallocate()
        for l in compactLayers { for m in [l.query, l.key, l.value, l.attentionOutput, l.gate, l.up, l.down] { m.release() } }
        compactOutput?.release()
        scratch.release()
    }

    // MARK: Cache

    public var cachedCount: Int { cachedTokens.count }
    public var cacheSlots: Int { slots.count }

    /// Drops every position of the active slot from `count` on.
    public func truncate(to count: Int) {
        guard count < slot.tokens.count else { return }
        slot.tokens.removeSubrange(count...)
        slot.lastLogits = []
    }

    /// Empties the active slot.
    public func reset() { truncate(to: 0) }

    // MARK: Forward

    /// Which positions of an appended batch need logits.
    public enum LogitRows: Sendable { case last, all, none }

    /// Runs `tokens` after the cached ones, adds them to the cache, and returns logits
    /// (row-major, `vocabSize` per row) for the requested rows.
    @discardableResult
    public func append(_ tokens: [Int], logits rows: LogitRows = .last) throws -> [Float] {
        guard !tokens.isEmpty else { return rows == .none ? [] : lastLogits }
        let start = cachedTokens.count
        let total = start + tokens.count
        guard total <= maxContext else { throw ChatModelError.contextTooLong(tokens: total, limit: maxContext) }
        for t in tokens where !(0..<config.vocabSize).contains(t) { throw ModelFileError.malformed("token stream", "token id \(t) outside the vocabulary") }
        slot.reserve(total, layers: config.layerCount, width: config.kvDim, limit: maxContext)
        // Long prompts run in chunks to bound the scratch memory of the attention scores.
        // The last chunk always yields at least its last row, kept as `lastLogits`.
        let chunk = 512
        var result: [Float] = []
        var offset = 0
        while offset < tokens.count {
            let piece = Array(tokens[offset ..< min(offset + chunk, tokens.count)])
            let isLastPiece = offset + piece.count == tokens.count
            let pieceRows: LogitRows = rows == .all ? .all : (isLastPiece ? .last : .none)
            let logits = forward(piece, start: start + offset, rows: pieceRows)
            if rows == .all { result += logits } else if isLastPiece { result = logits }
            slot.tokens += piece
            offset += piece.count
        }
        // A single row (every decode step) is shared, not copied.
        lastLogits = result.count == config.vocabSize ? result : Array(result.suffix(config.vocabSize))
        return rows == .none ? [] : result
    }

    /// Rows of one forward that are several continuations of the cached prompt side by side
    /// (`LlamaEngine+Continuations`): each row has its own position, and sees the prompt and the
    /// rows of its own continuation up to itself, never another continuation's.
    struct ContinuationRows: Sendable {
        /// Cache index where the prompt ends and the continuations begin.
        let base: Int
        /// RoPE position of each row of this forward.
        let positions: [Int]
        /// Cache index of the first row of each row's continuation.
        let segmentStarts: [Int]
        /// Tree layout instead (`ContinuationTrie`): the cache indices each row sees besides the
        /// prompt — its ancestors and itself, ascending. When set, `segmentStarts` is unused.
        var ancestors: [[Int]]? = nil
    }

    /// Runs `tokens` as continuation rows (see `ContinuationRows`) written to the cache from `start`;
    /// returns every row's logits. The caller truncates the cache back to `layout.base`.
    func forwardContinuations(_ tokens: [Int], start: Int, layout: ContinuationRows) throws -> [Float] {
        let total = start + tokens.count
        guard total <= maxContext else { throw ChatModelError.contextTooLong(tokens: total, limit: maxContext) }
        for t in tokens where !(0..<config.vocabSize).contains(t) { throw ModelFileError.malformed("token stream", "token id \(t) outside the vocabulary") }
        slot.reserve(total, layers: config.layerCount, width: config.kvDim, limit: maxContext)
        let logits = forward(tokens, start: start, rows: .all, continuations: layout)
        slot.tokens += tokens
        return logits
    }

    private func forward(_ tokens: [Int], start: Int, rows: LogitRows, continuations: ContinuationRows? = nil) -> [Float] {
        let c = config
        let n = tokens.count
        let dim = c.dim, qDim = c.queryDim, kvDim = c.kvDim, hidden = c.hiddenDim
        let context = start + n
        scratch.reserve(tokens: n, context: context, config: c)
        if n == 1 && !quantizedLayers.isEmpty && continuations == nil { return quantizedDecode(tokens[0], start: start, rows: rows) }
        let x = scratch.x, xb = scratch.xb, q = scratch.q, att = scratch.attention
        let gate = scratch.gate, up = scratch.up, scores = scratch.scores

        for (i, t) in tokens.enumerated() { (x + i * dim).update(from: embedding + t * dim, count: dim) }

        let compact = n == 1 && !compactLayers.isEmpty && continuations == nil
        let table = continuations.map { RopeTable(headDim: c.headDim, theta: c.ropeTheta, positionList: $0.positions) }
            ?? ropeTable(start: start, rows: n)
        for l in 0..<c.layerCount {
            let layer = layers[l]
            let cl = compact ? compactLayers[l] : nil
            let kCache = slot.keys[l], vCache = slot.values[l]
            rmsNorm(xb, x, layer.attentionNorm, rows: n, dim: dim)
            linear(q, xb, layer.query, cl?.query, rows: n, out: qDim, in: dim)
            linear(kCache + start * kvDim, xb, layer.key, cl?.key, rows: n, out: kvDim, in: dim)
            linear(vCache + start * kvDim, xb, layer.value, cl?.value, rows: n, out: kvDim, in: dim)
            finishProjections(layer, q: q, k: kCache + start * kvDim, v: vCache + start * kvDim, rows: n)
            rope(q, rows: n, width: qDim, table: table)
            rope(kCache + start * kvDim, rows: n, width: kvDim, table: table)
            attention(att, q: q, keys: kCache, values: vCache, scores: scores, rows: n, start: start, context: context,
                      continuations: continuations)
            linear(x, att, layer.attentionOutput, cl?.attentionOutput, rows: n, out: dim, in: qDim, accumulate: true)

            rmsNorm(xb, x, layer.ffnNorm, rows: n, dim: dim)
            linear(gate, xb, layer.gate, cl?.gate, rows: n, out: hidden, in: dim)
            linear(up, xb, layer.up, cl?.up, rows: n, out: hidden, in: dim)
            VectorMath.swiGLU(gate, up, count: n * hidden)
            linear(x, gate, layer.down, cl?.down, rows: n, out: dim, in: hidden, accumulate: true)
        }
        if rows == .none { return [] }
        return outputLogits(rows: rows, tokens: n, compact: compact)
    }

    /// Final norm and output head for the requested rows of the last forward.
    private func outputLogits(rows: LogitRows, tokens n: Int, compact: Bool) -> [Float] {
        let c = config, dim = c.dim
        let x = scratch.x, xb = scratch.xb
        let first = rows == .all ? 0 : n - 1
        let count = n - first
        rmsNorm(xb, x + first * dim, outputNorm, rows: count, dim: dim)
        var logits = [Float](repeating: 0, count: count * c.vocabSize)
        let head = compact ? compactOutput : nil
        logits.withUnsafeMutableBufferPointer { linear($0.baseAddress!, xb, output, head, rows: count, out: c.vocabSize, in: dim) }
        return logits
    }

    // MARK: Kernels

    @inline(__always)
    private func linear(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                        _ compact: CompactMatrix?, rows: Int, out: Int, in: Int, accumulate: Bool = false) {
        if let compact {
            // Two halves of the rows on the two cores; each half streams its own weights.
            let parts = Self.decodeThreads
            let step = (out + parts - 1) / parts
            let y = SendableMutablePointer(y), x = SendablePointer(x)
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                let range = p * step ..< min(out, (p + 1) * step)
                compact.multiply(y.pointer, x.pointer, rows: range, accumulate: accumulate)
            }
        } else if rows == 1 {
            Matmul.gemv(y, w, x, n: out, k: `in`, beta: accumulate ? 1 : 0)
        } else {
            Matmul.linear(y, x, w, m: rows, n: out, k: `in`, beta: accumulate ? 1 : 0)
        }
    }

    /// What Qwen adds between the q/k/v projections and RoPE: the projection biases (Qwen2) and the
    /// RMSNorm of every q and k head with its learned scale (Qwen3). Nothing for Llama.
    func finishProjections(_ layer: Layer, q: UnsafeMutablePointer<Float>, k: UnsafeMutablePointer<Float>,
                           v: UnsafeMutablePointer<Float>, rows: Int) {
        let c = config
        if layer.queryBias == nil && layer.keyBias == nil && layer.valueBias == nil && layer.queryNorm == nil && layer.keyNorm == nil {
            return  // Llama: nothing to add, and no per-call array of tuples on every decode step
        }
        for (values, bias, width) in [(q, layer.queryBias, c.queryDim), (k, layer.keyBias, c.kvDim), (v, layer.valueBias, c.kvDim)] {
            guard let bias else { continue }
            for r in 0..<rows { VectorMath.add(values + r * width, bias, count: width) }
        }
        if let qn = layer.queryNorm { RMSNorm.forward(q, q, qn, rows: rows * c.headCount, width: c.headDim, eps: c.rmsNormEps) }
        if let kn = layer.keyNorm { RMSNorm.forward(k, k, kn, rows: rows * c.kvHeadCount, width: c.headDim, eps: c.rmsNormEps) }
    }

    func rmsNorm(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
                 rows: Int, dim: Int) {
        RMSNorm.forward(out, x, weight, rows: rows, width: dim, eps: config.rmsNormEps)
    }

    /// cos and sin of pos·θ_i for the positions of one forward call, shared by all layers.
    func ropeTable(start: Int, rows: Int) -> RopeTable {
        RopeTable(headDim: config.headDim, theta: config.ropeTheta, positions: start ..< start + rows)
    }

    /// Rotates interleaved pairs of every head in `rows` rows of `width` values.
    func rope(_ v: UnsafeMutablePointer<Float>, rows: Int, width: Int, table: RopeTable) {
        let hd = config.headDim, half = hd / 2
        table.cos.withUnsafeBufferPointer { cosines in
            table.sin.withUnsafeBufferPointer { sines in
                for r in 0..<rows {
                    let row = v + r * width
                    for h in 0..<width / hd {
                        Rope.rotate(row + h * hd, row + h * hd, cos: cosines.baseAddress! + r * half,
                                    sin: sines.baseAddress! + r * half, headDim: hd)
                    }
                }
            }
        }
    }

    /// Causal grouped-query attention of `rows` new queries (at positions start…) over the
    /// cache's `context` positions; per head two sgemms (scores, then weighted values).
    private func attention(_ out: UnsafeMutablePointer<Float>, q: UnsafePointer<Float>, keys: UnsafePointer<Float>,
                           values: UnsafePointer<Float>, scores: UnsafeMutablePointer<Float>,
                           rows: Int, start: Int, context: Int, continuations: ContinuationRows? = nil) {
        let c = config
        let dim = c.queryDim, kvDim = c.kvDim, hd = c.headDim
        let group = c.headCount / c.kvHeadCount
        let scale = 1 / Float(hd).squareRoot()
        if rows == 1 && continuations == nil {
            decodeAttention(out, q: q, keys: keys, values: values, scores: scores, context: context)
            return
        }
        // Query rows go in blocks, each against only the keys its last row may see, which
        // skips most of the masked upper triangle of a long prompt.
        let block = 64
        // Heads are independent: they go round-robin to the cores, each core with its own
        // 64-row block of `scores` and single-threaded sgemms.
        let parts = max(1, min(Parallel.threads, scratch.scoreRows / block, c.headCount))
        let (o, qs, ks, vs, sc) = (SendableMutablePointer(out), SendablePointer(UnsafePointer(q)), SendablePointer(UnsafePointer(keys)),
                                   SendablePointer(UnsafePointer(values)), SendableMutablePointer(scores))
        Parallel.forEach(parts: parts) { p in
            let out = o.pointer, q = qs.pointer
            let scores = sc.pointer + p * block * context
            for h in stride(from: p, to: c.headCount, by: parts) {
                let g = h / group
                let kg = ks.pointer + g * hd, vg = vs.pointer + g * hd
                for r0 in stride(from: 0, to: rows, by: block) {
                    let r1 = min(rows, r0 + block), m = r1 - r0
                    let visibleContext = start + r1
                    // scores[m × visibleContext] = scale · q_h · K_gᵀ
                    Matmul.sgemm(transA: false, transB: true, m: m, n: visibleContext, k: hd, alpha: scale,
                                 q + r0 * dim + h * hd, lda: dim, kg, ldb: kvDim, beta: 0, scores, ldc: visibleContext)
                    for r in 0..<m {
                        let s = scores + r * visibleContext
                        let visible = start + r0 + r + 1
                        if let layout = continuations, let ancestors = layout.ancestors {
                            // The prompt, then this row's path from the root of the trie.
                            let base = layout.base, path = ancestors[r0 + r]
                            var maxScore = -Float.infinity
                            for j in 0..<base where s[j] > maxScore { maxScore = s[j] }
                            for j in path where s[j] > maxScore { maxScore = s[j] }
                            var sum = VectorMath.expShifted(s, count: base, shift: maxScore)
                            var kept = [Float](repeating: 0, count: path.count)
                            for (i, j) in path.enumerated() { kept[i] = expf(s[j] - maxScore); sum += kept[i] }
                            let inv = 1 / sum
                            for j in 0..<base { s[j] *= inv }
                            for j in base..<visibleContext { s[j] = 0 }
                            for (i, j) in path.enumerated() { s[j] = kept[i] * inv }
                            continue
                        }
                        if let layout = continuations {
                            // The prompt, then this row's own continuation: two runs, the rows of
                            // other continuations between them get no weight.
                            let base = layout.base, own = layout.segmentStarts[r0 + r]
                            var maxScore = -Float.infinity
                            for j in 0..<base where s[j] > maxScore { maxScore = s[j] }
                            for j in own..<visible where s[j] > maxScore { maxScore = s[j] }
                            let sum = VectorMath.expShifted(s, count: base, shift: maxScore)
                                + VectorMath.expShifted(s + own, count: visible - own, shift: maxScore)
                            let inv = 1 / sum
                            for j in 0..<base { s[j] *= inv }
                            for j in base..<own { s[j] = 0 }
                            for j in own..<visible { s[j] *= inv }
                            for j in visible..<visibleContext { s[j] = 0 }
                            continue
                        }
                        var maxScore = -Float.infinity
                        for j in 0..<visible where s[j] > maxScore { maxScore = s[j] }
                        let inv = 1 / VectorMath.expShifted(s, count: visible, shift: maxScore)
                        for j in 0..<visible { s[j] *= inv }
                        for j in visible..<visibleContext { s[j] = 0 }
                    }
                    // out_h[m × hd] = P · V_g
                    Matmul.sgemm(transA: false, transB: false, m: m, n: hd, k: visibleContext, alpha: 1,
                                 scores, lda: visibleContext, vg, ldb: kvDim, beta: 0, out + r0 * dim + h * hd, ldc: dim)
                }
            }
        }
    }

    /// Decode-time attention of one query over `context` cached positions, split across cores by
    /// position (every core takes all heads over its share of the cache, so the work is even
    /// whatever the head count, and each core streams its own part of the keys and values), then
    /// merged with each part's running max and exp-sum as in flash-decoding.
    func decodeAttention(_ out: UnsafeMutablePointer<Float>, q: UnsafePointer<Float>, keys: UnsafePointer<Float>,
                         values: UnsafePointer<Float>, scores: UnsafeMutablePointer<Float>, context: Int) {
        let c = config
        let heads = c.headCount, width = c.queryDim
        // Below a few dozen positions a split costs more than it saves.
        let parts = Parallel.isNested ? 1 : max(1, min(Parallel.threads, context / 32, scratch.attentionParts))
        if parts == 1 {
            singleQueryAttention(out, q: q, keys: keys, values: values, scores: scores, positions: 0..<context, stats: nil,
                                 level: kernelLevel)
            return
        }
        // Part 0 writes `out`, part p ≥ 1 its own `width` floats of `partials`; stats hold (max, sum) per head and part.
        let partials = scratch.attentionPartials, stats = scratch.attentionStats
        let (o, qs, ks, vs, sc, pa, st) = (SendableMutablePointer(out), SendablePointer(q), SendablePointer(keys),
                                           SendablePointer(values), SendableMutablePointer(scores),
                                           SendableMutablePointer(partials), SendableMutablePointer(stats))
        let level = kernelLevel
        Parallel.forEach(parts: parts) { p in
            let positions = p * context / parts ..< (p + 1) * context / parts
            let target = p == 0 ? o.pointer : pa.pointer + (p - 1) * width
            singleQueryAttention(target, q: qs.pointer, keys: ks.pointer, values: vs.pointer, scores: sc.pointer,
                                 positions: positions, stats: st.pointer + p * 2 * heads, level: level)
        }
        let hd = c.headDim
        for h in 0..<heads {
            var maxScore = -Float.infinity
            for p in 0..<parts { maxScore = max(maxScore, stats[p * 2 * heads + 2 * h]) }
            var total: Float = 0
            let o = out + h * hd
            for p in 0..<parts {
                let weight = expf(stats[p * 2 * heads + 2 * h] - maxScore)
                total += weight * stats[p * 2 * heads + 2 * h + 1]
                if p == 0 {
                    for d in 0..<hd { o[d] *= weight }
                } else {
                    let source = partials + (p - 1) * width + h * hd
                    for d in 0..<hd { o[d] += weight * source[d] }
                }
            }
            let inv = 1 / total
            for d in 0..<hd { o[d] *= inv }
        }
    }

    /// Attention of one query over the cached `positions`, every head (`nn_attention_decode`: AVX2
    /// where the CPU has it). With `stats` nil the output is normalised; otherwise it stays
    /// Σ exp(s − max)·v and `stats` gets (max, Σ exp(s − max)) per head, for `decodeAttention` to
    /// merge parts. `scores` has a row of the full context per head; only `positions` of it are written.
    func singleQueryAttention(_ out: UnsafeMutablePointer<Float>, q: UnsafePointer<Float>, keys: UnsafePointer<Float>,
                              values: UnsafePointer<Float>, scores: UnsafeMutablePointer<Float>,
                              positions: Range<Int>, stats: UnsafeMutablePointer<Float>?, level: KernelLevel = .best) {
        let c = config
        let first = positions.lowerBound
        DecodeAttention.run(out, q: q, keys: keys + first * c.kvDim, values: values + first * c.kvDim, count: positions.count,
                            shape: .init(heads: c.headCount, kvHeads: c.kvHeadCount, headDim: c.headDim),
                            scores: scores + first, scoreStride: scratch.context, stats: stats, level: level)
    }
}

extension LlamaEngine {
    /// Threads of the compact decode kernels (the machine kind has 2 cores; OpenBLAS uses its own setting).
    static let decodeThreads = 2
}

/// Scratch buffers of the forward pass, grown on demand.
struct Scratch {
    /// `scores` holds `scoreRows × context` floats: a row per decode head, or a 64-row query block
    /// per thread in prefill attention.
    var x, xb, q, attention, gate, up, scores: UnsafeMutablePointer<Float>
    private(set) var tokens = 0, context = 0, scoreRows = 0
    /// Decode attention split by position (`LlamaEngine.decodeAttention`): the unnormalised
    /// outputs of parts 1… (`queryDim` each) and every part's (max, exp-sum) per head.
    private(set) var attentionPartials: UnsafeMutablePointer<Float>, attentionStats: UnsafeMutablePointer<Float>
    static let attentionPartLimit = 8
    private(set) var attentionParts = 0

    init() {
        x = .allocate(capacity: 1); xb = x; q = x; attention = x; gate = x; up = x; scores = x
        attentionPartials = .allocate(capacity: 1); attentionStats = .allocate(capacity: 1)
    }

    mutating func reserve(tokens n: Int, context ctx: Int, config c: LlamaConfig) {
        if attentionParts == 0 {
            attentionPartials.deallocate(); attentionStats.deallocate()
            attentionParts = Self.attentionPartLimit
            attentionPartials = .allocate(capacity: (attentionParts - 1) * c.queryDim)
            attentionStats = .allocate(capacity: attentionParts * 2 * c.headCount)
        }
        if n > tokens {
            if tokens > 0 { for p in [x, xb, q, attention, gate, up] { p.deallocate() } } else { x.deallocate() }
            let t = max(n, 1)
            x = .allocate(capacity: t * c.dim); xb = .allocate(capacity: t * c.dim); q = .allocate(capacity: t * c.queryDim)
            attention = .allocate(capacity: t * c.queryDim)
            gate = .allocate(capacity: t * c.hiddenDim); up = .allocate(capacity: t * c.hiddenDim)
            if context > 0 { scores.deallocate() }
            tokens = t; context = max(ctx, context)
            scoreRows = max(t, c.headCount, 2 * 64)
            scores = .allocate(capacity: scoreRows * context)
        } else if ctx > context || c.headCount > scoreRows {
            scores.deallocate()
            context = max(ctx, context * 2)
            scoreRows = max(tokens, c.headCount, 2 * 64)
            scores = .allocate(capacity: scoreRows * context)
        }
    }

    func release() {
        attentionPartials.deallocate(); attentionStats.deallocate()
        if tokens > 0 { for p in [x, xb, q, attention, gate, up, scores] { p.deallocate() } } else { x.deallocate() }
    }
}
