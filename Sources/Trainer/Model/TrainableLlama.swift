import Foundation
import Kernels
import LlamaModel

/// A Llama-architecture decoder with forward and backward passes over one flat parameter buffer;
/// also the Qwen2 (q/k/v biases) and Qwen3 (per-head q/k RMSNorm, wider attention) variants.
///
/// Full fine-tuning trains `parameters` (gradients in `gradients`, same layout). With LoRA the base
/// parameters are frozen and only `adapters` (gradients in `adapterGradients`) train.
/// Activation memory: with `recompute` only the residual stream is kept per block and each block's
/// forward is re-run just before its backward (one block's activations alive at a time).
/// `precision` bf16 stores the kept blocks' activations, and a LoRA run's frozen base, in bf16
/// (`TrainingPrecision`); arithmetic stays fp32.
public final class TrainableLlama: @unchecked Sendable {
    public let config: LlamaConfig
    public let layout: ParameterLayout
    public let precision: TrainingPrecision
    let base: BaseWeights
    public let gradients: FloatBuffer?
    public let loraLayout: LoRALayout?
    public let adapters: FloatBuffer?
    public let adapterGradients: FloatBuffer?
    public var recompute: Bool
    let rope: RopeTable

    /// Activations of the largest micro-batch seen so far (reused by smaller ones).
    private var activations: ActivationTensors?
    /// Cores the GEMMs, the attention and the softmax are split over (OpenBLAS itself runs
    /// single-threaded inside a step, see `SplitMatmul`).
    public var workers = WorkSplit.cores
    private var gemm: SplitMatmul { SplitMatmul(workers: workers) }

    /// With LoRA and `precision` bf16 the given fp32 `parameters` are rounded into the model's own
    /// bf16 copy and not retained; otherwise the model trains (or reads) them in place.
    public init(config: LlamaConfig, parameters: FloatBuffer? = nil, lora: LoRAConfig? = nil, recompute: Bool = false,
                precision: TrainingPrecision = .fp32) {
        self.config = config
        layout = ParameterLayout(config: config)
        self.precision = precision
        let params = parameters ?? FloatBuffer(count: layout.total)
        precondition(params.count == layout.total, "parameter buffer does not match the configuration")
        base = lora != nil && precision == .bf16 ? .bf16(FrozenBF16Weights(layout: layout, from: params)) : .fp32(params)
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

    /// The fp32 weights, trained in place by full fine-tuning. A LoRA model under bf16 has none (its
    /// frozen base is bf16): `exportWeights` gives them in fp32.
    public var parameters: FloatBuffer {
        guard case .fp32(let p) = base else { preconditionFailure("the frozen base of a bf16 LoRA model is stored in bf16; use exportWeights()") }
        return p
    }

    /// The buffers the optimizer updates: (values, gradients).
    public var trainable: (values: FloatBuffer, gradients: FloatBuffer) {
        if let adapters, let adapterGradients { return (adapters, adapterGradients) }
        return (parameters, gradients!)
    }

    public func zeroGradients() { trainable.gradients.zero() }

    /// Bytes of activation memory for a (batch, seq) step, as `activationTensors(for:)` would reserve.
    public func activationBytes(batch: Int, seq: Int, recompute: Bool? = nil, precision: TrainingPrecision? = nil) -> Int {
        ActivationTensors.bytes(activationShape(batch: batch, seq: seq), recompute: recompute ?? self.recompute,
                                precision: precision ?? self.precision)
    }

    private func activationShape(batch: Int, seq: Int) -> ActivationShape {
        ActivationShape(config: config, batch: batch, seq: seq, lora: loraLayout?.lora, workers: workers)
    }

    /// Frees the activation arena (the next step allocates it again). Called before checkpoints and
    /// the final export, whose serialization buffers would otherwise sit on top of it and push the
    /// peak past the printed estimate (by 1.2 GiB at 8k-token LoRA rows, measured).
    public func releaseActivations() { activations = nil }

    private func activationTensors(for batch: TokenBatch) -> ActivationTensors {
        if let a = activations, a.recompute == recompute, a.shape.workers == workers, a.shape.rows >= batch.rows, a.shape.seq >= batch.seq,
           a.shape.batch >= batch.batch {
            return a
        }
        precondition(batch.seq <= config.contextLength, "sequence longer than the model's context")
        activations = nil  // free the old arena before allocating the larger one
        let a = ActivationTensors(activationShape(batch: batch.batch, seq: batch.seq), recompute: recompute, precision: precision)
        activations = a
        return a
    }

    // MARK: - Views

    /// The weight matrix at `offset`, as stored.
    private func matrix(_ offset: Int) -> StoredMatrix {
        switch base {
        case .fp32(let p): .fp32(p.pointer + offset)
        case .bf16(let w): .bf16(w.values.pointer + offset, panel: w.panel.pointer)
        }
    }

    /// The 1-D tensor (norm gain, bias) at `offset`, always fp32.
    private func vector(_ offset: Int) -> UnsafeMutablePointer<Float> {
        switch base {
        case .fp32(let p): p.pointer + offset
        case .bf16(let w): w.vector(offset)
        }
    }

    private func linear(_ offset: Int, out: Int, inp: Int, layer: Int, target: LoRATarget, acts: BlockActivations) -> LinearWeights {
        var w = LinearWeights(weight: matrix(offset), grad: gradients.map { $0.pointer + offset },
                              outFeatures: out, inFeatures: inp, adapter: nil)
        if let ll = loraLayout, let off = ll.offsets[layer][target], let adapters, let adapterGradients {
            let saved = acts.loraSaved(target)
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
        /// (value, gradient) of the Qwen extras; nil where the family has none, gradient nil with LoRA.
        var qBias, kBias, vBias, qNorm, kNorm: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>?)?
    }

    private func block(_ l: Int, _ acts: BlockActivations) -> BlockWeights {
        let s = layout.layers[l], c = config.dim, q = config.queryDim, kv = config.kvDim, f = config.hiddenDim
        func extra(_ offset: Int?) -> (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>?)? {
            offset.map { o in (vector(o), gradients.map { $0.pointer + o }) }
        }
        return BlockWeights(
            q: linear(s.query, out: q, inp: c, layer: l, target: .query, acts: acts),
            k: linear(s.key, out: kv, inp: c, layer: l, target: .key, acts: acts),
            v: linear(s.value, out: kv, inp: c, layer: l, target: .value, acts: acts),
            o: linear(s.attnOutput, out: c, inp: q, layer: l, target: .output, acts: acts),
            gate: linear(s.gate, out: f, inp: c, layer: l, target: .gate, acts: acts),
            up: linear(s.up, out: f, inp: c, layer: l, target: .up, acts: acts),
            down: linear(s.down, out: c, inp: f, layer: l, target: .down, acts: acts),
            attnNorm: vector(s.attnNorm), ffnNorm: vector(s.ffnNorm),
            dAttnNorm: gradients.map { $0.pointer + s.attnNorm }, dFfnNorm: gradients.map { $0.pointer + s.ffnNorm },
            qBias: extra(s.queryBias), kBias: extra(s.keyBias), vBias: extra(s.valueBias),
            qNorm: extra(s.queryNorm), kNorm: extra(s.keyNorm))
    }

    // MARK: - Block forward / backward

    private func blockForward(_ l: Int, input x: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                              acts: ActivationTensors, batch: TokenBatch, positions: UnsafePointer<Int32>, docStart: UnsafePointer<Int32>) {
        let n = batch.rows, c = config.dim, f = config.hiddenDim
        let a = acts.block(l), s = acts.scratch
        let w = block(l, a)
        let (bt, t) = (batch.batch, batch.seq)
        let shape = AttentionShape(batch: bt, seq: t, heads: config.headCount, kvHeads: config.kvHeadCount, headDim: config.headDim)
        RMSNorm.forward(a.xn1, x, w.attnNorm, rows: n, width: c, eps: config.rmsNormEps, rstd: a.rstd1)
        linearForward(s.q, a.xn1, w.q, rows: n, gemm: gemm)
        linearForward(s.k, a.xn1, w.k, rows: n, gemm: gemm)
        linearForward(s.v, a.xn1, w.v, rows: n, gemm: gemm)
        projectionExtrasForward(w, a, s, rows: n)
        ropeForwardToHeads(a.qh, s.q, positions: positions, rope: rope, batch: bt, seq: t,
                           heads: config.headCount, headDim: config.headDim, rotate: true)
        ropeForwardToHeads(a.kh, s.k, positions: positions, rope: rope, batch: bt, seq: t,
                           heads: config.kvHeadCount, headDim: config.headDim, rotate: true)
        ropeForwardToHeads(a.vh, s.v, positions: positions, rope: rope, batch: bt, seq: t,
                           heads: config.kvHeadCount, headDim: config.headDim, rotate: false)
        attentionForward(s.attHeads, a.lse, a.qh, a.kh, a.vh, docStart: docStart, shape: shape,
                         workspace: s.attentionWorkspace(workers: workers))
        headsToTokens(a.att, s.attHeads, batch: bt, seq: t, heads: config.headCount, headDim: config.headDim)
        linearForward(a.x2, a.att, w.o, rows: n, gemm: gemm)
        for i in 0..<(n * c) { a.x2[i] += x[i] }
        RMSNorm.forward(a.xn2, a.x2, w.ffnNorm, rows: n, width: c, eps: config.rmsNormEps, rstd: a.rstd2)
        linearForward(a.gate, a.xn2, w.gate, rows: n, gemm: gemm)
        linearForward(a.up, a.xn2, w.up, rows: n, gemm: gemm)
        let (hidden, gate, up) = (SendableMutablePointer(a.hidden), SendableMutablePointer(a.gate), SendableMutablePointer(a.up))
        WorkSplit.ranges(n * f, workers: workers) { r in
            swigluForward(hidden.pointer + r.lowerBound, gate.pointer + r.lowerBound, up.pointer + r.lowerBound, count: r.count)
        }
        linearForward(output, a.hidden, w.down, rows: n, gemm: gemm)
        for i in 0..<(n * c) { output[i] += a.x2[i] }
    }

    /// `dres` holds d(block output) on entry and d(block input) on return.
    private func blockBackward(_ l: Int, input x: UnsafePointer<Float>, dres: UnsafeMutablePointer<Float>,
                               acts: ActivationTensors, batch: TokenBatch, positions: UnsafePointer<Int32>, docStart: UnsafePointer<Int32>) {
        let n = batch.rows, c = config.dim, f = config.hiddenDim
        let a = acts.block(l), s = acts.scratch
        let w = block(l, a)
        let (bt, t) = (batch.batch, batch.seq)
        let shape = AttentionShape(batch: bt, seq: t, heads: config.headCount, kvHeads: config.kvHeadCount, headDim: config.headDim)
        // MLP: out = x2 + down(silu(gate)·up)
        linearBackward(s.dhidden, dres, a.hidden, w.down, rows: n, accumulate: false, scratch: s.lora, gemm: gemm)
        let (dgate, dup, dhidden) = (SendableMutablePointer(s.dgate), SendableMutablePointer(s.dup), SendableMutablePointer(s.dhidden))
        let (gate, up) = (SendableMutablePointer(a.gate), SendableMutablePointer(a.up))
        WorkSplit.ranges(n * f, workers: workers) { r in
            let o = r.lowerBound
            swigluBackward(dgate.pointer + o, dup.pointer + o, dhidden.pointer + o, gate.pointer + o, up.pointer + o, count: r.count)
        }
        linearBackward(s.dxn, s.dgate, a.xn2, w.gate, rows: n, accumulate: false, scratch: s.lora, gemm: gemm)
        linearBackward(s.dxn, s.dup, a.xn2, w.up, rows: n, accumulate: true, scratch: s.lora, gemm: gemm)
        s.dx2.update(from: dres, count: n * c)
        rmsNormBackward(s.dx2, w.dFfnNorm, s.dxn, a.x2, w.ffnNorm, a.rstd2, n: n, c: c)
        // Attention: x2 = x + o(att)
        linearBackward(s.datt, s.dx2, a.att, w.o, rows: n, accumulate: false, scratch: s.lora, gemm: gemm)
        tokensToHeads(s.dattHeads, s.datt, batch: bt, seq: t, heads: config.headCount, headDim: config.headDim)
        let workspace = s.attentionWorkspace(workers: workers)
        attentionDelta(workspace.delta, dout: s.datt, out: a.att, shape: shape)
        attentionBackward(s.dqh, s.dkh, s.dvh, s.dattHeads, a.lse, a.qh, a.kh, a.vh,
                          docStart: docStart, shape: shape, workspace: workspace)
        ropeBackwardFromHeads(s.dq, s.dqh, positions: positions, rope: rope, batch: bt, seq: t,
                              heads: config.headCount, headDim: config.headDim, rotate: true)
        ropeBackwardFromHeads(s.dk, s.dkh, positions: positions, rope: rope, batch: bt, seq: t,
                              heads: config.kvHeadCount, headDim: config.headDim, rotate: true)
        ropeBackwardFromHeads(s.dv, s.dvh, positions: positions, rope: rope, batch: bt, seq: t,
                              heads: config.kvHeadCount, headDim: config.headDim, rotate: false)
        projectionExtrasBackward(w, a, s, rows: n)
        linearBackward(s.dxn, s.dq, a.xn1, w.q, rows: n, accumulate: false, scratch: s.lora, gemm: gemm)
        linearBackward(s.dxn, s.dk, a.xn1, w.k, rows: n, accumulate: true, scratch: s.lora, gemm: gemm)
        linearBackward(s.dxn, s.dv, a.xn1, w.v, rows: n, accumulate: true, scratch: s.lora, gemm: gemm)
        dres.update(from: s.dx2, count: n * c)
        rmsNormBackward(dres, w.dAttnNorm, s.dxn, x, w.attnNorm, a.rstd1, n: n, c: c)
    }

    /// Qwen2's biases then Qwen3's per-head q/k RMSNorm, between the projections and RoPE
    /// (the engine's `finishProjections`); the pre-norm values and rstds are saved for the backward.
    private func projectionExtrasForward(_ w: BlockWeights, _ a: BlockActivations, _ s: BlockScratch, rows n: Int) {
        let c = config
        for (values, bias, width) in [(s.q, w.qBias, c.queryDim), (s.k, w.kBias, c.kvDim), (s.v, w.vBias, c.kvDim)] {
            guard let b = bias?.0 else { continue }
            for r in 0..<n { VectorMath.add(values + r * width, b, count: width) }
        }
        if let qn = w.qNorm?.0, let kn = w.kNorm?.0 {
            a.qPreNorm.update(from: s.q, count: n * c.queryDim)
            a.kPreNorm.update(from: s.k, count: n * c.kvDim)
            RMSNorm.forward(s.q, a.qPreNorm, qn, rows: n * c.headCount, width: c.headDim, eps: c.rmsNormEps, rstd: a.qRstd)
            RMSNorm.forward(s.k, a.kPreNorm, kn, rows: n * c.kvHeadCount, width: c.headDim, eps: c.rmsNormEps, rstd: a.kRstd)
        }
    }

    /// Turns dq/dk (after the RoPE backward) into gradients of the raw projections, accumulating
    /// the norm scales' and biases' gradients.
    private func projectionExtrasBackward(_ w: BlockWeights, _ a: BlockActivations, _ s: BlockScratch, rows n: Int) {
        let c = config
        if let qNorm = w.qNorm, let kNorm = w.kNorm {
            let (qn, dqn) = qNorm, (kn, dkn) = kNorm
            s.dqPreNorm.update(repeating: 0, count: n * c.queryDim)
            s.dkPreNorm.update(repeating: 0, count: n * c.kvDim)
            rmsNormBackward(s.dqPreNorm, dqn, s.dq, a.qPreNorm, qn, a.qRstd, n: n * c.headCount, c: c.headDim)
            rmsNormBackward(s.dkPreNorm, dkn, s.dk, a.kPreNorm, kn, a.kRstd, n: n * c.kvHeadCount, c: c.headDim)
            s.dq.update(from: s.dqPreNorm, count: n * c.queryDim)
            s.dk.update(from: s.dkPreNorm, count: n * c.kvDim)
        }
        for (grads, bias, width) in [(s.dq, w.qBias, c.queryDim), (s.dk, w.kBias, c.kvDim), (s.dv, w.vBias, c.kvDim)] {
            guard let db = bias?.1 else { continue }
            for r in 0..<n { VectorMath.add(db, grads + r * width, count: width) }
        }
    }

    // MARK: - Whole model

    /// Runs the forward (and, when `gradientScale` is given, the backward) of one micro-batch.
    /// Returns the summed cross-entropy over target tokens and their count. Gradients accumulate,
    /// each token's loss weighted by `gradientScale` (1 / tokens of the whole accumulated batch).
    @discardableResult
    public func step(_ batch: TokenBatch, gradientScale: Float?) -> (lossSum: Double, count: Int) {
        let acts = activationTensors(for: batch)
        let st = acts.stream
        // OpenBLAS single-threaded for the step: the trainer splits its own work over the cores.
        let blasThreads = BLASInfo.threads
        if blasThreads != 1 { BLASInfo.setThreads(1) }
        defer { if blasThreads != 1 { BLASInfo.setThreads(blasThreads) } }
        let n = batch.rows, c = config.dim, top = config.layerCount
        let training = gradientScale != nil
        return batch.tokens.withUnsafeBufferPointer { tokens in
            batch.positions.withUnsafeBufferPointer { positions in
                batch.docStart.withUnsafeBufferPointer { docStart in
                    let pos = positions.baseAddress!, ds = docStart.baseAddress!
                    embeddingForward(acts.residual(0), tokens.baseAddress!, matrix(layout.embedding), n: n, c: c)
                    for l in 0..<top {
                        blockForward(l, input: acts.residual(l), output: acts.residual(l + 1), acts: acts, batch: batch, positions: pos, docStart: ds)
                        if training { acts.pack(l, rows: n) }
                    }
                    let normW = vector(layout.outputNorm)
                    RMSNorm.forward(st.finalNorm, acts.residual(top), normW, rows: n, width: c, eps: config.rmsNormEps, rstd: st.finalRstd)
                    if training { st.dfinal.update(repeating: 0, count: n * c) }
                    let result = headLossAndBackward(batch.targets, weights: batch.targetWeights, rows: n, stream: st,
                                                     gradientScale: gradientScale)
                    guard training else { return result }
                    st.dres.update(repeating: 0, count: n * c)
                    rmsNormBackward(st.dres, gradients.map { $0.pointer + layout.outputNorm }, st.dfinal,
                                    acts.residual(top), normW, st.finalRstd, n: n, c: c)
                    for l in stride(from: top - 1, through: 0, by: -1) {
                        if recompute {
                            blockForward(l, input: acts.residual(l), output: acts.residual(l + 1), acts: acts, batch: batch, positions: pos, docStart: ds)
                        } else {
                            acts.unpack(l, rows: n)
                        }
                        blockBackward(l, input: acts.residual(l), dres: st.dres, acts: acts, batch: batch, positions: pos, docStart: ds)
                    }
                    if let g = gradients {
                        embeddingBackward(g.pointer + layout.embedding, st.dres, tokens.baseAddress!, n: n, c: c)
                    }
                    return result
                }
            }
        }
    }

    /// Output head + cross-entropy, only on rows that have a target, in chunks so that the
    /// logits never exceed `headChunk × vocab`. When training, the head's backward runs right
    /// away on each chunk (dlogits = softmax − onehot), accumulating into dfinal and dW.
    /// With `weights`, each row's loss and gradient are multiplied by its weight (the loss sum is weighted).
    private func headLossAndBackward(_ targets: [Int32], weights: [Float]?, rows n: Int, stream st: StreamActivations,
                                     gradientScale: Float?) -> (lossSum: Double, count: Int) {
        let c = config.dim, v = config.vocabSize
        let dHead = gradients.map { $0.pointer + layout.output }
        let rows = (0..<n).filter { targets[$0] >= 0 }
        var lossSum: Double = 0
        var start = 0
        while start < rows.count {
            let chunk = Array(rows[start..<min(start + StreamActivations.headChunk, rows.count)])
            start += chunk.count
            for (i, r) in chunk.enumerated() { (st.headRows + i * c).update(from: st.finalNorm + r * c, count: c) }
            headLogits(st.logits, st.headRows, rows: chunk.count)
            // Softmax + loss (+ dlogits) per row, split over both cores: it is the largest
            // non-GEMM pass (rows × vocab exponentials).
            let rowLoss = FloatBuffer(count: chunk.count)
            let shared = SendableMutablePointer(st.logits)
            let parts = chunk.count >= 16 ? workers : 1
            WorkSplit.run(parts) { part in
                let lo = chunk.count * part / parts, hi = chunk.count * (part + 1) / parts
                for i in lo..<hi {
                    let row = shared.pointer + i * v
                    let sum = VectorMath.expShifted(row, count: v, shift: maxOf(row, count: v))
                    let t = Int(targets[chunk[i]])
                    let weight = weights?[chunk[i]] ?? 1
                    rowLoss[i] = -logf(row[t] / sum) * weight
                    if let unweighted = gradientScale {
                        let scale = unweighted * weight
                        let k = scale / sum
                        for j in 0..<v { row[j] *= k }
                        row[t] -= scale
                    }
                }
            }
            for i in 0..<chunk.count { lossSum += Double(rowLoss[i]) }
            guard gradientScale != nil else { continue }
            if let dHead {
                gemm.tn(dHead, st.logits, st.headRows, m: v, n: c, k: chunk.count, beta: 1)
            }
            // dx_rows = dlogits · W (headRows, no longer needed, receives it), then scatter.
            headInputGradient(st.headRows, st.logits, rows: chunk.count)
            for (i, r) in chunk.enumerated() {
                let d = st.dfinal + r * c, g = st.headRows + i * c
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
        let st = activationTensors(for: batch).stream
        let c = config.dim, v = config.vocabSize
        st.headRows.update(from: st.finalNorm + (t - 1) * c, count: c)
        headLogits(st.logits, st.headRows, rows: 1)
        return Array(UnsafeBufferPointer(start: st.logits, count: v))
    }

    /// logits[rows × vocab] = x · Wᵀ with the output head W (vocab, dim). A bf16 head is widened
    /// one panel of vocabulary rows at a time, so its fp32 copy never exists whole (113 MB at SmolLM2).
    private func headLogits(_ logits: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, rows m: Int) {
        let c = config.dim, v = config.vocabSize
        switch base {
        case .fp32(let p):
            gemm.linear(logits, x, p.pointer + layout.output, m: m, n: v, k: c)
        case .bf16(let w):
            forEachHeadPanel(w) { r0, r1, panel in
                gemm.linear(logits + r0, x, panel, m: m, n: r1 - r0, k: c, ldOut: v)
            }
        }
    }

    /// Widens a bf16 output head into its fp32 panel one slice of vocabulary rows [r0, r1) at a
    /// time and hands each slice to `body`: the forward and the backward through the head share it.
    private func forEachHeadPanel(_ w: FrozenBF16Weights, _ body: (_ r0: Int, _ r1: Int, _ panel: UnsafePointer<Float>) -> Void) {
        let c = config.dim, v = config.vocabSize
        let panelRows = w.panel.count / c
        for r0 in stride(from: 0, to: v, by: panelRows) {
            let r1 = min(r0 + panelRows, v)
            BFloat16Passes.widen(w.values.pointer + layout.output + r0 * c, into: w.panel.pointer, count: (r1 - r0) * c, workers: workers)
            body(r0, r1, w.panel.pointer)
        }
    }

    /// dx[rows × dim] = dlogits · W, the head's input gradient (overwrites dx).
    private func headInputGradient(_ dx: UnsafeMutablePointer<Float>, _ dlogits: UnsafePointer<Float>, rows m: Int) {
        let c = config.dim, v = config.vocabSize
        switch base {
        case .fp32(let p):
            gemm.nn(dx, dlogits, p.pointer + layout.output, m: m, n: c, k: v)
        case .bf16(let w):
            forEachHeadPanel(w) { r0, r1, panel in
                gemm.nn(dx, dlogits + r0, panel, m: m, n: c, k: r1 - r0, ldA: v, beta: r0 == 0 ? 0 : 1)
            }
        }
    }
}
