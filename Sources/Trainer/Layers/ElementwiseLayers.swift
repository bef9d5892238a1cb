import Foundation
import Kernels

// Forward/backward pairs of the non-GEMM layers, in the style of llm.c: raw pointers, shapes
// passed explicitly, backward functions accumulate (`+=`) into parameter and input gradients.
// `n` is the number of token rows (B·T), `c` the row width. RMSNorm's forward and the RoPE
// rotation and table are Kernels' (shared with the inference engine).

/// Gathers embedding rows: out[i, :] = table[tokens[i], :] (widened when the table is bf16).
func embeddingForward(_ out: UnsafeMutablePointer<Float>, _ tokens: UnsafePointer<Int32>,
                      _ table: StoredMatrix, n: Int, c: Int) {
    for i in 0..<n {
        let row = Int(tokens[i]) * c
        switch table {
        case .fp32(let t): (out + i * c).update(from: t + row, count: c)
        case .bf16(let t, _): BFloat16Conversion.widen(t + row, into: out + i * c, count: c)
        }
    }
}

/// dtable[tokens[i], :] += dout[i, :].
func embeddingBackward(_ dtable: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>,
                       _ tokens: UnsafePointer<Int32>, n: Int, c: Int) {
    for i in 0..<n {
        let row = dtable + Int(tokens[i]) * c
        let g = dout + i * c
        for j in 0..<c { row[j] += g[j] }
    }
}

/// dx += r·(dy·w − x·r²·mean(dy·w·x)),  dw += dy·x·r.
func rmsNormBackward(_ dx: UnsafeMutablePointer<Float>, _ dweight: UnsafeMutablePointer<Float>?,
                     _ dout: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
                     _ rstd: UnsafePointer<Float>, n: Int, c: Int) {
    for i in 0..<n {
        let xr = x + i * c, dy = dout + i * c, dxr = dx + i * c
        let r = rstd[i]
        var dot: Float = 0
        for j in 0..<c { dot += dy[j] * weight[j] * xr[j] }
        let k = r * r * dot / Float(c)
        for j in 0..<c { dxr[j] += r * (dy[j] * weight[j] - xr[j] * k) }
        if let dweight {
            for j in 0..<c { dweight[j] += dy[j] * xr[j] * r }
        }
    }
}

/// out = a + b.
func residualForward(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) {
    for i in 0..<count { out[i] = a[i] + b[i] }
}

/// h = silu(gate) · up.
func swigluForward(_ out: UnsafeMutablePointer<Float>, _ gate: UnsafePointer<Float>, _ up: UnsafePointer<Float>, count: Int) {
    VectorMath.swiGLU(into: out, gate: gate, up: up, count: count)
}

/// dgate = dh·up·σ(g)(1 + g(1−σ(g))),  dup = dh·silu(g). Overwrites (the GEMMs before it accumulate).
func swigluBackward(_ dgate: UnsafeMutablePointer<Float>, _ dup: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>,
                    _ gate: UnsafePointer<Float>, _ up: UnsafePointer<Float>, count: Int) {
    VectorMath.swiGLUBackward(dgate: dgate, dup: dup, dout: dout, gate: gate, up: up, count: count)
}

/// Rotates the heads of `x` (rows of `heads·headDim`, token-major) and writes them head-major:
/// out[b, h, t, :]. Positions come per token so packed documents can restart at 0.
func ropeForwardToHeads(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, positions: UnsafePointer<Int32>,
                        rope: RopeTable, batch: Int, seq: Int, heads: Int, headDim: Int, rotate: Bool) {
    let half = headDim / 2
    rope.cos.withUnsafeBufferPointer { cosT in
        rope.sin.withUnsafeBufferPointer { sinT in
            for b in 0..<batch {
                for t in 0..<seq {
                    let row = b * seq + t
                    let p = Int(positions[row])
                    for h in 0..<heads {
                        let src = x + row * heads * headDim + h * headDim
                        let dst = out + ((b * heads + h) * seq + t) * headDim
                        if !rotate { dst.update(from: src, count: headDim); continue }
                        Rope.rotate(dst, src, cos: cosT.baseAddress! + p * half, sin: sinT.baseAddress! + p * half, headDim: headDim)
                    }
                }
            }
        }
    }
}

/// Inverse of `ropeForwardToHeads` for gradients: rotates back by −angle and returns to token-major.
/// Overwrites `dx` (the GEMM that consumes it accumulates).
func ropeBackwardFromHeads(_ dx: UnsafeMutablePointer<Float>, _ dheads: UnsafePointer<Float>, positions: UnsafePointer<Int32>,
                           rope: RopeTable, batch: Int, seq: Int, heads: Int, headDim: Int, rotate: Bool) {
    let half = headDim / 2
    rope.cos.withUnsafeBufferPointer { cosT in
        rope.sin.withUnsafeBufferPointer { sinT in
            for b in 0..<batch {
                for t in 0..<seq {
                    let row = b * seq + t
                    let p = Int(positions[row])
                    for h in 0..<heads {
                        let src = dheads + ((b * heads + h) * seq + t) * headDim
                        let dst = dx + row * heads * headDim + h * headDim
                        if !rotate { dst.update(from: src, count: headDim); continue }
                        for i in 0..<half {
                            let c = cosT[p * half + i], s = sinT[p * half + i]
                            let d0 = src[2 * i], d1 = src[2 * i + 1]
                            dst[2 * i] = d0 * c + d1 * s
                            dst[2 * i + 1] = -d0 * s + d1 * c
                        }
                    }
                }
            }
        }
    }
}
