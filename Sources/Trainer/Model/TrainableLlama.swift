import Foundation
import Kernels
import LlamaModel

/// A Llama-architecture decoder with forward and backward passes over one flat parameter buffer.
///
/// Full fine-tuning trains `parameters` (gradients in `gradients`, same layout). With LoRA the base
/// parameters are frozen and only `adapters` (gradients in `adapterGradients`) train.
/// Activation memory: with `recompute` only the residual stream is kept per block and each block's
/// forward is re-run just before its backward (one block's activations alive at a time).
public final class TrainableLlama: @unchecked Sendable {
    public let config: LlamaConfig
    public let layout: ParameterLayout
    public let parameters: FloatBuffer
    public let gradients: FloatBuffer?
    public let loraLayout: LoRALayout?
    public let adapters: FloatBuffer?
    public let adapterGradients: FloatBuffer?
    public var recompute: Bool
    let rope: RopeTable

    private var workspace: FloatBuffer?
    private var capacity = (batch: 0, seq: 0)
    private var residuals: [UnsafeMutablePointer<Float>] = []
    private var layerActs: [LayerActivations] = []
    private var scratch: BackwardScratch!
    private var dres: UnsafeMutablePointer<Float>!
    private var finalNorm: UnsafeMutablePointer<Float>!
    private var finalRstd: UnsafeMutablePointer<Float>!
    private var dfinal: UnsafeMutablePointer<Float>!
    private var headRows: UnsafeMutablePointer<Float>!
    private var headGrad: UnsafeMutablePointer<Float>!
    private var logits: UnsafeMutablePointer<Float>!
    static let headChunk = 256

    public init(config: LlamaConfig, parameters: FloatBuffer? = nil, lora: LoRAConfig? = nil, recompute: Bool = false) {
        self.config = config
        layout = ParameterLayout(config: config)
        let params = parameters ?? FloatBuffer(count: layout.total)
        precondition(params.count == layout.total, "parameter buffer does not match the configuration")
        self.parameters = params
        if let lora {
            let ll = LoRALayout(config: config, lora: lora)
            loraLayout = ll
            adapters = FloatBuffer(count: ll.total)
            adapterGradients = FloatBuffer(count: ll.total)
            gradients = nil
        } else {
            loraLayout = nil
            adapters = nil
            adapterGradients = nil
            gradients = FloatBuffer(count: layout.total)
        }
        self.recompute = recompute
        rope = RopeTable(headDim: config.headDim, maxPosition: config.contextLength, theta: config.ropeTheta)
    }

    /// The buffers the optimizer updates: (values, gradients).
    public var trainable: (values: FloatBuffer, gradients: FloatBuffer) {
        if let adapters, let adapterGradients { return (adapters, adapterGradients) }
        return (parameters, gradients!)
    }

    public func zeroGradients() { trainable.gradients.zero() }

    /// Bytes of activation memory for a (batch, seq) step, as `allocate` would reserve.
    public func activationBytes(batch: Int, seq: Int) -> Int {
        var alloc = BumpAllocator()
        plan(&alloc, batch: batch, seq: seq)
        return alloc.total * 4
    }

    @discardableResult
    private func plan(_ alloc: inout BumpAllocator, batch: Int, seq: Int) -> (res: [Int], layers: [[String: Int]], scratch: [String: Int], misc: [Int]) {
        let n = batch * seq, c = config.dim
        let res = (0...config.layerCount).map { _ in alloc.reserve(n * c) }
        let kept = recompute ? 1 : config.layerCount
        let layers = (0..<kept).map { _ in
            LayerActivations.plan(&alloc, config: config, batch: batch, seq: seq, lora: loraLayout?.lora)
        }
        let scratch = BackwardScratch.plan(&alloc, config: config, batch: batch, seq: seq, lora: loraLayout?.lora)
        let chunk = Self.headChunk
        let misc = [alloc.reserve(n * c), alloc.reserve(n), alloc.reserve(n * c), alloc.reserve(n * c),
                    alloc.reserve(chunk * c), alloc.reserve(chunk * config.vocabSize)]
        return (res, layers, scratch, misc)
    }

    private func ensureWorkspace(batch: Int, seq: Int) {
        if capacity.batch * capacity.seq >= batch * seq, capacity.seq >= seq,
           layerActs.count == (recompute ? 1 : config.layerCount) { return }
        precondition(seq <= config.contextLength, "sequence longer than the model's context")
        var alloc = BumpAllocator()
        let p = plan(&alloc, batch: batch, seq: seq)
        let ws = FloatBuffer(count: alloc.total)
        workspace = ws
        let base = ws.pointer
        residuals = p.res.map { base + $0 }
        layerActs = p.layers.map { LayerActivations(base: base, offsets: $0) }
        scratch = BackwardScratch(base: base, offsets: p.scratch)
        finalNorm = base + p.misc[0]
        finalRstd = base + p.misc[1]
        dfinal = base + p.misc[2]
        dres = base + p.misc[3]
        headRows = base + p.misc[4]
        logits = base + p.misc[5]
        headGrad = headRows
        capacity = (batch, seq)
    }

    // MARK: - Views

    private func linear(_ offset: Int, out: Int, inp: Int, layer: Int, target: LoRATarget, acts: LayerActivations) -> LinearWeights {
        var w = LinearWeights(weight: parameters.pointer + offset, grad: gradients.map { $0.pointer + offset },
                              outFeatures: out, inFeatures: inp, adapter: nil)
        if let ll = loraLayout, let off = ll.offsets[layer][target], let adapters, let adapterGradients,
           let saved = acts.loraSaved[target] {
            w.adapter = .init(a: adapters.pointer + off.a, b: adapters.pointer + off.b,
                              da: adapterGradients.pointer + off.a, db: adapterGradients.pointer + off.b,
                              rank: ll.lora.rank, scale: ll.lora.scale, saved: saved)
        }
        return w
    }

    private struct BlockWeights {
        var q, k, v, o, gate, up, down: LinearWeights
        var attnNorm, ffnNorm: UnsafeMutablePointer<Float>
        var dAttnNorm, dFfnNorm: UnsafeMutablePointer<Float>?
    }

    private func block(_ l: Int, _ acts: LayerActivations) -> BlockWeights {
        let s = layout.layers[l], c = config.dim, kv = config.kvDim, f = config.hiddenDim
        return BlockWeights(
            q: linear(s.query, out: c, inp: c, layer: l, target: .query, acts: acts),
            k: linear(s.key, out: kv, inp: c, layer: l, target: .key, acts: acts),
            v: linear(s.value, out: kv, inp: c, layer: l, target: .value, acts: acts),
            o: linear(s.attnOutput, out: c, inp: c, layer: l, target: .output, acts: acts),
            gate: linear(s.gate, out: f, inp: c, layer: l, target: .gate, acts: acts),
            up: linear(s.up, out: f, inp: c, layer: l, target: .up, acts: acts),
            down: linear(s.down, out: c, inp: f, layer: l, target: .down, acts: acts),
            attnNorm: parameters.pointer + s.attnNorm, ffnNorm: parameters.pointer + s.ffnNorm,
            dAttnNorm: gradients.map { $0.pointer + s.attnNorm }, dFfnNorm: gradients.map { $0.pointer + s.ffnNorm })
    }

    // MARK: - Block forward / backward

    private func blockForward(_ l: Int, input x: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                              acts a: LayerActivations, batch: TokenBatch, positions: UnsafePointer<Int32>, docStart: UnsafePointer<Int32>) {
        let n = batch.rows, c = config.dim, f = config.hiddenDim
        let w = block(l, a)
        let shape = AttentionShape(batch: batch.batch, seq: batch.seq, heads: config.headCount,
                                   kvHeads: config.kvHeadCount, headDim: config.headDim)
        RMSNorm.forward(a.xn1, x, w.attnNorm, rows: n, width: c, eps: config.rmsNormEps, rstd: a.rstd1)
        linearForward(a.q, a.xn1, w.q, rows: n)
        linearForward(a.k, a.xn1, w.k, rows: n)
        linearForward(a.v, a.xn1, w.v, rows: n)
        ropeForwardToHeads(a.qh, a.q, positions: positions, rope: rope, batch: batch.batch, seq: batch.seq,
                           heads: config.headCount, headDim: config.headDim, rotate: true)
        ropeForwardToHeads(a.kh, a.k, positions: positions, rope: rope, batch: batch.batch, seq: batch.seq,
                           heads: config.kvHeadCount, headDim: config.headDim, rotate: true)
        ropeForwardToHeads(a.vh, a.v, positions: positions, rope: rope, batch: batch.batch, seq: batch.seq,
                           heads: config.kvHeadCount, headDim: config.headDim, rotate: false)
        attentionForward(a.attHeads, a.probs, a.qh, a.kh, a.vh, docStart: docStart, shape: shape)
        headsToTokens(a.att, a.attHeads, batch: batch.batch, seq: batch.seq, heads: config.headCount, headDim: config.headDim)
        linearForward(a.x2, a.att, w.o, rows: n)
        for i in 0..<(n * c) { a.x2[i] += x[i] }
        RMSNorm.forward(a.xn2, a.x2, w.ffnNorm, rows: n, width: c, eps: config.rmsNormEps, rstd: a.rstd2)
        linearForward(a.gate, a.xn2, w.gate, rows: n)
        linearForward(a.up, a.xn2, w.up, rows: n)
        swigluForward(a.hidden, a.gate, a.up, count: n * f)
        linearForward(output, a.hidden, w.down, rows: n)
        for i in 0..<(n * c) { output[i] += a.x2[i] }
    }

    /// `dres` holds d(block output) on entry and d(block input) on return.
    private func blockBackward(_ l: Int, input x: UnsafePointer<Float>, dres: UnsafeMutablePointer<Float>,
                               acts a: LayerActivations, batch: TokenBatch, positions: UnsafePointer<Int32>, docStart: UnsafePointer<Int32>) {
        let n = batch.rows, c = config.dim, f = config.hiddenDim
        let s = scratch!
        let w = block(l, a)
        let shape = AttentionShape(batch: batch.batch, seq: batch.seq, heads: config.headCount,
                                   kvHeads: config.kvHeadCount, headDim: config.headDim)
        // MLP: out = x2 + down(silu(gate)·up)
        linearBackward(s.dhidden, dres, a.hidden, w.down, rows: n, accumulate: false, scratch: s.lora)
        swigluBackward(s.dgate, s.dup, s.dhidden, a.gate, a.up, count: n * f)
        linearBackward(s.dxn, s.dgate, a.xn2, w.gate, rows: n, accumulate: false, scratch: s.lora)
        linearBackward(s.dxn, s.dup, a.xn2, w.up, rows: n, accumulate: true, scratch: s.lora)
        s.dx2.update(from: dres, count: n * c)
        rmsNormBackward(s.dx2, w.dFfnNorm, s.dxn, a.x2, w.ffnNorm, a.rstd2, n: n, c: c)
        // Attention: x2 = x + o(att)
        linearBackward(s.datt, s.dx2, a.att, w.o, rows: n, accumulate: false, scratch: s.lora)
        tokensToHeads(s.dattHeads, s.datt, batch: batch.batch, seq: batch.seq, heads: config.headCount, headDim: config.headDim)
        attentionBackward(s.dqh, s.dkh, s.dvh, s.dattHeads, a.probs, a.qh, a.kh, a.vh,
                          scratch: s.dprobs, docStart: docStart, shape: shape)
        ropeBackwardFromHeads(s.dq, s.dqh, positions: positions, rope: rope, batch: batch.batch, seq: batch.seq,
                              heads: config.headCount, headDim: config.headDim, rotate: true)
        ropeBackwardFromHeads(s.dk, s.dkh, positions: positions, rope: rope, batch: batch.batch, seq: batch.seq,
                              heads: config.kvHeadCount, headDim: config.headDim, rotate: true)
        ropeBackwardFromHeads(s.dv, s.dvh, positions: positions, rope: rope, batch: batch.batch, seq: batch.seq,
                              heads: config.kvHeadCount, headDim: config.headDim, rotate: false)
        linearBackward(s.dxn, s.dq, a.xn1, w.q, rows: n, accumulate: false, scratch: s.lora)
        linearBackward(s.dxn, s.dk, a.xn1, w.k, rows: n, accumulate: true, scratch: s.lora)
        linearBackward(s.dxn, s.dv, a.xn1, w.v, rows: n, accumulate: true, scratch: s.lora)
        dres.update(from: s.dx2, count: n * c)
        rmsNormBackward(dres, w.dAttnNorm, s.dxn, x, w.attnNorm, a.rstd1, n: n, c: c)
    }

    // MARK: - Whole model

    /// Runs the forward (and, when `gradientScale` is given, the backward) of one micro-batch.
    /// Returns the summed cross-entropy over target tokens and their count. Gradients accumulate,
    /// each token's loss weighted by `gradientScale` (1 / tokens of the whole accumulated batch).
    @discardableResult
    public func step(_ batch: TokenBatch, gradientScale: Float?) -> (lossSum: Double, count: Int) {
        ensureWorkspace(batch: batch.batch, seq: batch.seq)
        let n = batch.rows, c = config.dim
        let training = gradientScale != nil
        return batch.tokens.withUnsafeBufferPointer { tokens in
            batch.positions.withUnsafeBufferPointer { positions in
                batch.docStart.withUnsafeBufferPointer { docStart in
                    let pos = positions.baseAddress!, ds = docStart.baseAddress!
                    embeddingForward(residuals[0], tokens.baseAddress!, parameters.pointer + layout.embedding, n: n, c: c)
                    for l in 0..<config.layerCount {
                        let acts = layerActs[recompute ? 0 : l]
                        blockForward(l, input: residuals[l], output: residuals[l + 1], acts: acts, batch: batch, positions: pos, docStart: ds)
                    }
                    let normW = parameters.pointer + layout.outputNorm
                    RMSNorm.forward(finalNorm, residuals[config.layerCount], normW, rows: n, width: c, eps: config.rmsNormEps, rstd: finalRstd)
                    if training { dfinal.update(repeating: 0, count: n * c) }
                    let result = headLossAndBackward(batch.targets, rows: n, gradientScale: gradientScale)
                    guard training else { return result }
                    dres.update(repeating: 0, count: n * c)
                    rmsNormBackward(dres, gradients.map { $0.pointer + layout.outputNorm }, dfinal,
                                    residuals[config.layerCount], normW, finalRstd, n: n, c: c)
                    for l in stride(from: config.layerCount - 1, through: 0, by: -1) {
                        let acts = layerActs[recompute ? 0 : l]
                        if recompute {
                            blockForward(l, input: residuals[l], output: residuals[l + 1], acts: acts, batch: batch, positions: pos, docStart: ds)
                        }
                        blockBackward(l, input: residuals[l], dres: dres, acts: acts, batch: batch, positions: pos, docStart: ds)
                    }
                    if let g = gradients {
                        embeddingBackward(g.pointer + layout.embedding, dres, tokens.baseAddress!, n: n, c: c)
                    }
                    return result
                }
            }
        }
    }

    /// Output head + cross-entropy, only on rows that have a target, in chunks so that the
    /// logits never exceed `headChunk × vocab`. When training, the head's backward runs right
    /// away on each chunk (dlogits = softmax − onehot), accumulating into dfinal and dW.
    private func headLossAndBackward(_ targets: [Int32], rows n: Int, gradientScale: Float?) -> (lossSum: Double, count: Int) {
        let c = config.dim, v = config.vocabSize
        let head = parameters.pointer + layout.output
        let dHead = gradients.map { $0.pointer + layout.output }
        let rows = (0..<n).filter { targets[$0] >= 0 }
        var lossSum: Double = 0
        var start = 0
        while start < rows.count {
            let chunk = Array(rows[start..<min(start + Self.headChunk, rows.count)])
            start += chunk.count
            for (i, r) in chunk.enumerated() { (headRows + i * c).update(from: finalNorm + r * c, count: c) }
            GEMMClock.measure(m: chunk.count, n: v, k: c) { Matmul.linear(logits, headRows, head, m: chunk.count, n: v, k: c) }
            // Softmax + loss (+ dlogits) per row, split over both cores: it is the largest
            // non-GEMM pass (rows × vocab exponentials).
            let rowLoss = FloatBuffer(count: chunk.count)
            let shared = SendableMutablePointer(logits)
            let parts = chunk.count >= 16 ? 2 : 1
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let lo = chunk.count * part / parts, hi = chunk.count * (part + 1) / parts
                for i in lo..<hi {
                    let row = shared.pointer + i * v
                    var maxv = -Float.infinity
                    for j in 0..<v where row[j] > maxv { maxv = row[j] }
                    var sum: Float = 0
                    for j in 0..<v { let e = expf(row[j] - maxv); row[j] = e; sum += e }
                    let t = Int(targets[chunk[i]])
                    rowLoss[i] = -logf(row[t] / sum)
                    if let scale = gradientScale {
                        let k = scale / sum
                        for j in 0..<v { row[j] *= k }
                        row[t] -= scale
                    }
                }
            }
            for i in 0..<chunk.count { lossSum += Double(rowLoss[i]) }
            guard gradientScale != nil else { continue }
            // dx_rows = dlogits · W  (headRows is reused as its output), then scatter.
            if let dHead {
                GEMMClock.measure(m: v, n: c, k: chunk.count) { Matmul.tn(dHead, logits, headRows, m: v, n: c, k: chunk.count, beta: 1) }
            }
            GEMMClock.measure(m: chunk.count, n: c, k: v) { Matmul.nn(headGrad, logits, head, m: chunk.count, n: c, k: v) }
            for (i, r) in chunk.enumerated() {
                let d = dfinal + r * c, g = headGrad + i * c
                for j in 0..<c { d[j] += g[j] }
            }
        }
        return (lossSum, rows.count)
    }

    /// Logits of the last position of one sequence (for greedy decoding).
    public func lastLogits(_ tokens: [Int32]) -> [Float] {
        let t = tokens.count
        let batch = TokenBatch(batch: 1, seq: t, tokens: tokens, targets: [Int32](repeating: -1, count: t))
        step(batch, gradientScale: nil)
        let c = config.dim, v = config.vocabSize
        headRows.update(from: finalNorm + (t - 1) * c, count: c)
        GEMMClock.measure(m: 1, n: v, k: c) { Matmul.linear(logits, headRows, parameters.pointer + layout.output, m: 1, n: v, k: c) }
        return Array(UnsafeBufferPointer(start: logits, count: v))
    }
}
