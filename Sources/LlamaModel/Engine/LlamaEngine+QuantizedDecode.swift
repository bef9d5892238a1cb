import Kernels

extension LlamaEngine {
    /// One decode step reading the quantized weights (`DecodeWeights.quantized`).
    ///
    /// Every matrix-vector product is split by output rows across `Parallel.threads` cores; the
    /// products that share an input (q, k, v; gate, up) run in one split, and each core applies
    /// SwiGLU to its own rows and quantizes them for the down projection, so a layer costs four
    /// splits plus one for attention (split by cache position, `decodeAttention`).
    func quantizedDecode(_ token: Int, start: Int, rows: LogitRows) -> [Float] {
        let c = config
        let dim = c.dim, qDim = c.queryDim, kvDim = c.kvDim, hidden = c.hiddenDim
        let context = start + 1
        let x = scratch.x, xb = scratch.xb, q = scratch.q, att = scratch.attention
        let gate = scratch.gate, up = scratch.up, scores = scratch.scores
        let input = quantizedInput!, hiddenInput = quantizedHidden!
        // The attention output is `queryDim` wide, which only Qwen3-style heads make differ from `dim`.
        let attentionInput = quantizedAttention ?? input
        let parts = Parallel.threads, level = kernelLevel
        x.update(from: embedding + token * dim, count: dim)
        let table = ropeTable(start: start, rows: 1)

        for l in 0..<c.layerCount {
            let layer = layers[l], ql = quantizedLayers[l]
            let kRow = slot.keys[l] + start * kvDim, vRow = slot.values[l] + start * kvDim
            rmsNorm(xb, x, layer.attentionNorm, rows: 1, dim: dim)
            input.quantize(xb, level: level)
            Parallel.forEach(parts: parts) { p in
                ql.query.multiply(q, input, rows: Self.part(p, of: parts, qDim), accumulate: false, level: level)
                ql.key.multiply(kRow, input, rows: Self.part(p, of: parts, kvDim), accumulate: false, level: level)
                ql.value.multiply(vRow, input, rows: Self.part(p, of: parts, kvDim), accumulate: false, level: level)
            }
            finishProjections(layer, q: q, k: kRow, v: vRow, rows: 1)
            rope(q, rows: 1, width: qDim, table: table)
            rope(kRow, rows: 1, width: kvDim, table: table)
            let keys = slot.keys[l], values = slot.values[l]
            decodeAttention(att, q: q, keys: keys, values: values, scores: scores, context: context)
            attentionInput.quantize(att, level: level)
            Parallel.forEach(parts: parts) { p in
                ql.attentionOutput.multiply(x, attentionInput, rows: Self.part(p, of: parts, dim), accumulate: true, level: level)
            }

            rmsNorm(xb, x, layer.ffnNorm, rows: 1, dim: dim)
            input.quantize(xb, level: level)
            Parallel.forEach(parts: parts) { p in
                let r = Self.part(p, of: parts, hidden)
                ql.gate.multiply(gate, input, rows: r, accumulate: false, level: level)
                ql.up.multiply(up, input, rows: r, accumulate: false, level: level)
                VectorMath.swiGLU(gate + r.lowerBound, up + r.lowerBound, count: r.count)
                // Parts are whole 32-value blocks, so each quantizes its own.
                hiddenInput.quantize(gate, blocks: r.lowerBound / 32 ..< (r.upperBound + 31) / 32, level: level)
            }
            Parallel.forEach(parts: parts) { p in
                ql.down.multiply(x, hiddenInput, rows: Self.part(p, of: parts, dim), accumulate: true, level: level)
            }
        }
        if rows == .none { return [] }
        rmsNorm(xb, x, outputNorm, rows: 1, dim: dim)
        input.quantize(xb, level: level)
        var logits = [Float](repeating: 0, count: c.vocabSize)
        let head = quantizedOutput!
        logits.withUnsafeMutableBufferPointer { out in
            let y = SendableMutablePointer(out.baseAddress!)
            Parallel.forEach(parts: parts) { p in
                head.multiply(y.pointer, input, rows: Self.part(p, of: parts, c.vocabSize), accumulate: false, level: level)
            }
        }
        return logits
    }

    /// Rows of part `p` of `parts` near-equal contiguous parts of `0..<count` (multiples of 32 but
    /// the last: whole quantization blocks when the rows are an activation).
    @inline(__always)
    static func part(_ p: Int, of parts: Int, _ count: Int) -> Range<Int> {
        let step = ((count + parts - 1) / parts + 31) / 32 * 32
        return min(count, p * step) ..< min(count, (p + 1) * step)
    }
}
