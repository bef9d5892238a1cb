import CBLAS
import Foundation
import Kernels
import LanguageModels

/// Llama-architecture forward pass on the CPU in fp32 over OpenBLAS, with a KV cache.
///
/// A prompt is run as one batch (every linear layer is one sgemm over all its tokens); decoding
/// appends one token at a time against the cache (sgemv, memory-bound). Not thread-safe: one
/// caller at a time (`LocalChatModel` serialises requests).
///
/// Conventions: weights (out, in) row-major; q/k rows in GGUF order, so RoPE rotates interleaved
/// pairs (x[2i], x[2i+1]) by pos·θ^(-2i/headDim); grouped-query attention shares each kv head
/// across `headCount / kvHeadCount` query heads; SwiGLU MLP; RMSNorm with a learned scale.
public final class LlamaEngine: @unchecked Sendable {
    public let config: LlamaConfig
    /// Most positions the cache will hold (≤ the model's context length).
    public let maxContext: Int

    /// Tokens whose keys and values are in the cache, in order.
    public private(set) var cachedTokens: [Int] = []
    /// Logits after the last cached token (empty when the cache is empty).
    public internal(set) var lastLogits: [Float] = []

    struct Layer {
        var attentionNorm, query, key, value, attentionOutput, ffnNorm, gate, up, down: UnsafeMutablePointer<Float>
    }

    private let storage: UnsafeMutablePointer<Float>
    private let embedding: UnsafeMutablePointer<Float>
    private let outputNorm: UnsafeMutablePointer<Float>
    private let output: UnsafeMutablePointer<Float>
    private let layers: [Layer]
    private let ropeFrequencies: [Float]

    private var keyCache: [UnsafeMutablePointer<Float>]
    private var valueCache: [UnsafeMutablePointer<Float>]
    private var cacheCapacity = 0
    private var scratch = Scratch()

    /// Builds the engine from tensors given by name; `fill(name, destination, count)` writes one
    /// tensor's Float values. Used with GGUF (dequantising straight into place) and `LlamaWeights`.
    init(config: LlamaConfig, maxContext: Int?, fill: (String, UnsafeMutablePointer<Float>, Int) throws -> Void) throws {
        self.config = config
        self.maxContext = min(maxContext ?? config.contextLength, config.contextLength)
        let shapes = LlamaWeights.expectedShapes(config)
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
        layers = (0..<config.layerCount).map { l in
            Layer(attentionNorm: t(LlamaTensorName.attentionNorm(l)), query: t(LlamaTensorName.query(l)),
                  key: t(LlamaTensorName.key(l)), value: t(LlamaTensorName.value(l)),
                  attentionOutput: t(LlamaTensorName.attentionOutput(l)), ffnNorm: t(LlamaTensorName.ffnNorm(l)),
                  gate: t(LlamaTensorName.ffnGate(l)), up: t(LlamaTensorName.ffnUp(l)), down: t(LlamaTensorName.ffnDown(l)))
        }
        let half = config.headDim / 2
        ropeFrequencies = (0..<half).map { i in powf(config.ropeTheta, -2 * Float(i) / Float(config.headDim)) }
        keyCache = []
        valueCache = []
    }

    public convenience init(weights: LlamaWeights, maxContext: Int? = nil) throws {
        try weights.validate()
        try self.init(config: weights.config, maxContext: maxContext) { name, dest, count in
            let values = try weights.tensor(name)
            values.withUnsafeBufferPointer { dest.update(from: $0.baseAddress!, count: count) }
        }
    }

    /// Loads a GGUF model, dequantising every weight to fp32.
    public convenience init(gguf file: GGUFFile, maxContext: Int? = nil) throws {
        let config = try LlamaConfig(gguf: file)
        try self.init(config: config, maxContext: maxContext) { name, dest, count in
            guard let info = file.info(name) else { throw ModelFileError.missingTensor(name) }
            let expected = LlamaWeights.expectedShapes(config).first { $0.0 == name }!.1
            guard info.shape == expected else { throw ModelFileError.shapeMismatch(name, expected: expected, found: info.shape) }
            Dequantize.decode(info.type, from: file.rawData(info).baseAddress!, count: count, into: dest)
        }
    }

    deinit {
        storage.deallocate()
        for p in keyCache + valueCache { p.deallocate() }
        scratch.release()
    }

    // MARK: Cache

    public var cachedCount: Int { cachedTokens.count }

    /// Drops every cached position from `count` on.
    public func truncate(to count: Int) {
        guard count < cachedTokens.count else { return }
        cachedTokens.removeSubrange(count...)
        lastLogits = []
    }

    public func reset() { truncate(to: 0) }

    private func reserveCache(_ positions: Int) {
        guard positions > cacheCapacity else { return }
        let capacity = min(maxContext, max(positions, cacheCapacity * 2, 256))
        let kv = config.kvDim
        for l in 0..<config.layerCount {
            let k = UnsafeMutablePointer<Float>.allocate(capacity: capacity * kv)
            let v = UnsafeMutablePointer<Float>.allocate(capacity: capacity * kv)
            if cacheCapacity > 0 {
                k.update(from: keyCache[l], count: cachedTokens.count * kv)
                v.update(from: valueCache[l], count: cachedTokens.count * kv)
                keyCache[l].deallocate(); valueCache[l].deallocate()
                keyCache[l] = k; valueCache[l] = v
            } else {
                keyCache.append(k); valueCache.append(v)
            }
        }
        cacheCapacity = capacity
    }

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
        reserveCache(total)
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
            cachedTokens += piece
            offset += piece.count
        }
        lastLogits = Array(result.suffix(config.vocabSize))
        return rows == .none ? [] : result
    }

    private func forward(_ tokens: [Int], start: Int, rows: LogitRows) -> [Float] {
        let c = config
        let n = tokens.count
        let dim = c.dim, kvDim = c.kvDim, hidden = c.hiddenDim
        let context = start + n
        scratch.reserve(tokens: n, context: context, config: c)
        let x = scratch.x, xb = scratch.xb, q = scratch.q, att = scratch.attention
        let gate = scratch.gate, up = scratch.up, scores = scratch.scores

        for (i, t) in tokens.enumerated() { (x + i * dim).update(from: embedding + t * dim, count: dim) }

        for l in 0..<c.layerCount {
            let layer = layers[l]
            let kCache = keyCache[l], vCache = valueCache[l]
            rmsNorm(xb, x, layer.attentionNorm, rows: n, dim: dim)
            linear(q, xb, layer.query, rows: n, out: dim, in: dim)
            linear(kCache + start * kvDim, xb, layer.key, rows: n, out: kvDim, in: dim)
            linear(vCache + start * kvDim, xb, layer.value, rows: n, out: kvDim, in: dim)
            rope(q, rows: n, width: dim, start: start)
            rope(kCache + start * kvDim, rows: n, width: kvDim, start: start)
            attention(att, q: q, keys: kCache, values: vCache, scores: scores, rows: n, start: start, context: context)
            linear(x, att, layer.attentionOutput, rows: n, out: dim, in: dim, accumulate: true)

            rmsNorm(xb, x, layer.ffnNorm, rows: n, dim: dim)
            linear(gate, xb, layer.gate, rows: n, out: hidden, in: dim)
            linear(up, xb, layer.up, rows: n, out: hidden, in: dim)
            swiGLU(gate, up, count: n * hidden)
            linear(x, gate, layer.down, rows: n, out: dim, in: hidden, accumulate: true)
        }
        if rows == .none { return [] }
        let first = rows == .all ? 0 : n - 1
        let count = n - first
        rmsNorm(xb, x + first * dim, outputNorm, rows: count, dim: dim)
        var logits = [Float](repeating: 0, count: count * c.vocabSize)
        logits.withUnsafeMutableBufferPointer { linear($0.baseAddress!, xb, output, rows: count, out: c.vocabSize, in: dim) }
        return logits
    }

    // MARK: Kernels

    @inline(__always)
    private func linear(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                        rows: Int, out: Int, in: Int, accumulate: Bool = false) {
        if rows == 1 {
            Matmul.gemv(y, w, x, n: out, k: `in`, beta: accumulate ? 1 : 0)
        } else {
            Matmul.linear(y, x, w, m: rows, n: out, k: `in`, beta: accumulate ? 1 : 0)
        }
    }

    private func rmsNorm(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
                         rows: Int, dim: Int) {
        for r in 0..<rows {
            let xr = x + r * dim, o = out + r * dim
            var sum: Float = 0
            for i in 0..<dim { sum += xr[i] * xr[i] }
            let scale = 1 / (sum / Float(dim) + config.rmsNormEps).squareRoot()
            for i in 0..<dim { o[i] = xr[i] * scale * weight[i] }
        }
    }

    /// Rotates interleaved pairs of every head in `rows` rows of `width` values.
    private func rope(_ v: UnsafeMutablePointer<Float>, rows: Int, width: Int, start: Int) {
        let hd = config.headDim, half = hd / 2
        var cosines = [Float](repeating: 0, count: half), sines = [Float](repeating: 0, count: half)
        for r in 0..<rows {
            let pos = Float(start + r)
            for i in 0..<half {
                let angle = pos * ropeFrequencies[i]
                cosines[i] = cosf(angle); sines[i] = sinf(angle)
            }
            let row = v + r * width
            for h in 0..<width / hd {
                let p = row + h * hd
                for i in 0..<half {
                    let a = p[2 * i], b = p[2 * i + 1]
                    p[2 * i] = a * cosines[i] - b * sines[i]
                    p[2 * i + 1] = a * sines[i] + b * cosines[i]
                }
            }
        }
    }

    /// Causal grouped-query attention of `rows` new queries (at positions start…) over the
    /// cache's `context` positions; per head two sgemms (scores, then weighted values).
    private func attention(_ out: UnsafeMutablePointer<Float>, q: UnsafePointer<Float>, keys: UnsafePointer<Float>,
                           values: UnsafePointer<Float>, scores: UnsafeMutablePointer<Float>,
                           rows: Int, start: Int, context: Int) {
        let c = config
        let dim = c.dim, kvDim = c.kvDim, hd = c.headDim
        let group = c.headCount / c.kvHeadCount
        let scale = 1 / Float(hd).squareRoot()
        for h in 0..<c.headCount {
            let g = h / group
            let qh = q + h * hd, kg = keys + g * hd, vg = values + g * hd
            // scores[rows × context] = scale · q_h · K_gᵀ
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, blasint(rows), blasint(context), blasint(hd),
                        scale, qh, blasint(dim), kg, blasint(kvDim), 0, scores, blasint(context))
            for r in 0..<rows {
                let s = scores + r * context
                let visible = start + r + 1
                var maxScore = -Float.infinity
                for j in 0..<visible where s[j] > maxScore { maxScore = s[j] }
                var sum: Float = 0
                for j in 0..<visible { let e = expf(s[j] - maxScore); s[j] = e; sum += e }
                let inv = 1 / sum
                for j in 0..<visible { s[j] *= inv }
                for j in visible..<context { s[j] = 0 }
            }
            // out_h[rows × hd] = P · V_g
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(rows), blasint(hd), blasint(context),
                        1, scores, blasint(context), vg, blasint(kvDim), 0, out + h * hd, blasint(dim))
        }
    }

    private func swiGLU(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, count: Int) {
        for i in 0..<count {
            let g = gate[i]
            gate[i] = g / (1 + expf(-g)) * up[i]
        }
    }
}

/// Scratch buffers of the forward pass, grown on demand.
struct Scratch {
    var x, xb, q, attention, gate, up, scores: UnsafeMutablePointer<Float>
    private var tokens = 0, context = 0

    init() {
        x = .allocate(capacity: 1); xb = x; q = x; attention = x; gate = x; up = x; scores = x
    }

    mutating func reserve(tokens n: Int, context ctx: Int, config c: LlamaConfig) {
        if n > tokens {
            if tokens > 0 { for p in [x, xb, q, attention, gate, up] { p.deallocate() } } else { x.deallocate() }
            let t = max(n, 1)
            x = .allocate(capacity: t * c.dim); xb = .allocate(capacity: t * c.dim); q = .allocate(capacity: t * c.dim)
            attention = .allocate(capacity: t * c.dim)
            gate = .allocate(capacity: t * c.hiddenDim); up = .allocate(capacity: t * c.hiddenDim)
            if context > 0 { scores.deallocate() }
            scores = .allocate(capacity: t * max(ctx, context))
            tokens = t; context = max(ctx, context)
        } else if n * ctx > tokens * context {
            scores.deallocate()
            context = max(ctx, context * 2)
            scores = .allocate(capacity: tokens * context)
        }
    }

    func release() {
        if tokens > 0 { for p in [x, xb, q, attention, gate, up, scores] { p.deallocate() } } else { x.deallocate() }
    }
}
