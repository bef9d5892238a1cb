import Foundation
import Kernels

/// Shapes of one causal grouped-query attention call. Inputs are head-major:
/// q (B, H, T, hd), k and v (B, KV, T, hd); query head h reads key/value head h / (H/KV).
struct AttentionShape {
    var batch: Int
    var seq: Int
    var heads: Int
    var kvHeads: Int
    var headDim: Int
    var group: Int { heads / kvHeads }
}

/// Causal softmax attention with document boundaries: query t of a row attends to keys
/// docStart[t]...t, so sequences packed from several demonstrations never see each other.
/// Saves the probabilities `probs` (B, H, T, T) for the backward.
func attentionForward(_ out: UnsafeMutablePointer<Float>, _ probs: UnsafeMutablePointer<Float>,
                      _ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
                      docStart: UnsafePointer<Int32>, shape s: AttentionShape) {
    let t = s.seq, hd = s.headDim
    let scale = 1 / Float(hd).squareRoot()
    for b in 0..<s.batch {
        for h in 0..<s.heads {
            let g = h / s.group
            let qh = q + (b * s.heads + h) * t * hd
            let kh = k + (b * s.kvHeads + g) * t * hd
            let vh = v + (b * s.kvHeads + g) * t * hd
            let p = probs + (b * s.heads + h) * t * t
            GEMMClock.measure(m: t, n: t, k: hd) { Matmul.linear(p, qh, kh, m: t, n: t, k: hd, alpha: scale) }
            for i in 0..<t {
                let row = p + i * t
                let start = Int(docStart[b * t + i])
                var maxv = -Float.infinity
                for j in start...i where row[j] > maxv { maxv = row[j] }
                var sum: Float = 0
                for j in start...i { let e = expf(row[j] - maxv); row[j] = e; sum += e }
                let inv = 1 / sum
                for j in 0..<start { row[j] = 0 }
                for j in start...i { row[j] *= inv }
                for j in (i + 1)..<t { row[j] = 0 }
            }
            GEMMClock.measure(m: t, n: hd, k: t) { Matmul.nn(out + (b * s.heads + h) * t * hd, p, vh, m: t, n: hd, k: t) }
        }
    }
}

/// Gradients of `attentionForward`. dq is overwritten; dk and dv are overwritten too (each
/// key/value head sums the contributions of its group). `scratch` holds T·T floats.
func attentionBackward(_ dq: UnsafeMutablePointer<Float>, _ dk: UnsafeMutablePointer<Float>, _ dv: UnsafeMutablePointer<Float>,
                       _ dout: UnsafePointer<Float>, _ probs: UnsafePointer<Float>,
                       _ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
                       scratch dp: UnsafeMutablePointer<Float>, docStart: UnsafePointer<Int32>, shape s: AttentionShape) {
    let t = s.seq, hd = s.headDim
    let scale = 1 / Float(hd).squareRoot()
    for b in 0..<s.batch {
        for h in 0..<s.heads {
            let g = h / s.group
            let first = h % s.group == 0
            let off = (b * s.heads + h) * t * hd
            let kvOff = (b * s.kvHeads + g) * t * hd
            let p = probs + (b * s.heads + h) * t * t
            let doh = dout + off
            // dP = dO · Vᵀ ;  dV += Pᵀ · dO
            GEMMClock.measure(m: t, n: t, k: hd) { Matmul.linear(dp, doh, v + kvOff, m: t, n: t, k: hd) }
            GEMMClock.measure(m: t, n: hd, k: t) { Matmul.tn(dv + kvOff, p, doh, m: t, n: hd, k: t, beta: first ? 0 : 1) }
            // dS = P ⊙ (dP − rowsum(dP ⊙ P)), times the score scale.
            for i in 0..<t {
                let pr = p + i * t, dr = dp + i * t
                let start = Int(docStart[b * t + i])
                var dot: Float = 0
                for j in start...i { dot += pr[j] * dr[j] }
                for j in 0..<t { dr[j] = (j >= start && j <= i) ? pr[j] * (dr[j] - dot) * scale : 0 }
            }
            // dQ = dS · K ;  dK += dSᵀ · Q
            GEMMClock.measure(m: t, n: hd, k: t) { Matmul.nn(dq + off, dp, k + kvOff, m: t, n: hd, k: t) }
            GEMMClock.measure(m: t, n: hd, k: t) { Matmul.tn(dk + kvOff, dp, q + off, m: t, n: hd, k: t, beta: first ? 0 : 1) }
        }
    }
}
