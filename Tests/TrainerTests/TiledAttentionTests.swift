import XCTest
import Kernels
@testable import Trainer

/// The tiled attention (online softmax forward, recomputing backward) against a direct
/// O(T²) evaluation in Double, on a shape that spans several query and key tiles with ragged
/// ends, grouped-query heads and packed documents whose boundaries fall inside tiles.
final class TiledAttentionTests: XCTestCase {
    let shape = AttentionShape(batch: 2, seq: 200, heads: 4, kvHeads: 2, headDim: 8)

    private func random(_ count: Int, _ rng: inout TrainingRNG, scale: Float = 1) -> [Float] {
        (0..<count).map { _ in rng.normal() * scale }
    }

    /// Row 0: one document; row 1: documents starting at 0, 70 and 161 (inside query and key tiles).
    private var docStart: [Int32] {
        let t = shape.seq
        return (0..<t).map { _ in Int32(0) } + (0..<t).map { i in Int32(i < 70 ? 0 : i < 161 ? 70 : 161) }
    }

    private struct Reference {
        var out: [Double], dq: [Double], dk: [Double], dv: [Double]
    }

    private func reference(q: [Float], k: [Float], v: [Float], dout: [Float], docStart: [Int32]) -> Reference {
        let s = shape, t = s.seq, hd = s.headDim
        let scale = 1 / Double(hd).squareRoot()
        var r = Reference(out: .init(repeating: 0, count: q.count), dq: .init(repeating: 0, count: q.count),
                          dk: .init(repeating: 0, count: k.count), dv: .init(repeating: 0, count: v.count))
        for b in 0..<s.batch {
            for h in 0..<s.heads {
                let g = h / s.group
                let qo = (b * s.heads + h) * t * hd, ko = (b * s.kvHeads + g) * t * hd
                for i in 0..<t {
                    let keys = Int(docStart[b * t + i])...i
                    var scores = keys.map { j in (0..<hd).reduce(0.0) { $0 + Double(q[qo + i * hd + $1]) * Double(k[ko + j * hd + $1]) } * scale }
                    let m = scores.max()!
                    scores = scores.map { exp($0 - m) }
                    let z = scores.reduce(0, +)
                    let p = scores.map { $0 / z }
                    for (n, j) in keys.enumerated() {
                        for d in 0..<hd { r.out[qo + i * hd + d] += p[n] * Double(v[ko + j * hd + d]) }
                    }
                    // dP = dO·Vᵀ, dS = P ⊙ (dP − Σ P·dP)
                    let dp = keys.map { j in (0..<hd).reduce(0.0) { $0 + Double(dout[qo + i * hd + $1]) * Double(v[ko + j * hd + $1]) } }
                    let dot = zip(p, dp).reduce(0.0) { $0 + $1.0 * $1.1 }
                    for (n, j) in keys.enumerated() {
                        let ds = p[n] * (dp[n] - dot) * scale
                        for d in 0..<hd {
                            r.dv[ko + j * hd + d] += p[n] * Double(dout[qo + i * hd + d])
                            r.dq[qo + i * hd + d] += ds * Double(k[ko + j * hd + d])
                            r.dk[ko + j * hd + d] += ds * Double(q[qo + i * hd + d])
                        }
                    }
                }
            }
        }
        return r
    }

    private func assertClose(_ got: UnsafePointer<Float>, _ want: [Double], _ what: String) {
        let scale = want.map(abs).max()!
        var worst = 0.0
        for i in want.indices { worst = max(worst, abs(Double(got[i]) - want[i]) / scale) }
        XCTAssertLessThan(worst, 2e-5, "\(what): largest error relative to the largest entry")
    }

    func testTiledForwardAndBackwardMatchDirectAttention() {
        var rng = TrainingRNG(seed: 3)
        let s = shape, nq = s.batch * s.heads * s.seq * s.headDim, nk = s.batch * s.kvHeads * s.seq * s.headDim
        let q = random(nq, &rng, scale: 1.5), k = random(nk, &rng, scale: 1.5), v = random(nk, &rng), dout = random(nq, &rng)
        let ds = docStart
        let want = reference(q: q, k: k, v: v, dout: dout, docStart: ds)
        for workers in [1, 2] {
            let sizes = AttentionWorkspace.floats(shape: s, workers: workers)
            let tiles = FloatBuffer(count: sizes.tiles), delta = FloatBuffer(count: sizes.delta), partials = FloatBuffer(count: sizes.dqPartials)
            let ws = AttentionWorkspace(tiles: tiles.pointer, delta: delta.pointer, dqPartials: partials.pointer, workers: workers)
            let out = FloatBuffer(count: nq), lse = FloatBuffer(count: s.batch * s.heads * s.seq)
            let dq = FloatBuffer(count: nq), dk = FloatBuffer(count: nk), dv = FloatBuffer(count: nk)
            let outTokens = FloatBuffer(count: nq), doutTokens = FloatBuffer(count: nq)
            ds.withUnsafeBufferPointer { dsp in
                attentionForward(out.pointer, lse.pointer, q, k, v, docStart: dsp.baseAddress!, shape: s, workspace: ws)
                assertClose(out.pointer, want.out, "output (\(workers) workers)")
                headsToTokens(outTokens.pointer, out.pointer, batch: s.batch, seq: s.seq, heads: s.heads, headDim: s.headDim)
                headsToTokens(doutTokens.pointer, dout, batch: s.batch, seq: s.seq, heads: s.heads, headDim: s.headDim)
                attentionDelta(ws.delta, dout: doutTokens.pointer, out: outTokens.pointer, shape: s)
                attentionBackward(dq.pointer, dk.pointer, dv.pointer, dout, lse.pointer, q, k, v,
                                  docStart: dsp.baseAddress!, shape: s, workspace: ws)
            }
            assertClose(dq.pointer, want.dq, "dq (\(workers) workers)")
            assertClose(dk.pointer, want.dk, "dk (\(workers) workers)")
            assertClose(dv.pointer, want.dv, "dv (\(workers) workers)")
        }
    }

    func testAttentionScratchDoesNotGrowWithTheSquareOfTheSequence() {
        // Every per-call buffer is linear in T: doubling T at most doubles it (plus constant tiles).
        func floats(_ t: Int) -> Int {
            let f = AttentionWorkspace.floats(shape: AttentionShape(batch: 1, seq: t, heads: 9, kvHeads: 3, headDim: 64), workers: 2)
            return f.tiles + f.delta + f.dqPartials
        }
        XCTAssertEqual(floats(8192) - floats(4096), 2 * (floats(4096) - floats(2048)))
    }

    func testSharedExpMatchesLibm() {
        // The trainer's softmaxes go through the engine's kernel (`VectorMath.expShifted`).
        var xs: [Float] = []
        var x: Float = -87
        while x < 88 { xs.append(x); x += 0.0137 }
        var values = xs
        let sum = values.withUnsafeMutableBufferPointer { VectorMath.expShifted($0.baseAddress!, count: $0.count, shift: 0) }
        var worst: Float = 0
        for (got, x) in zip(values, xs) { worst = max(worst, abs(got - Float(exp(Double(x)))) / Float(exp(Double(x)))) }
        XCTAssertLessThan(worst, 5e-7)
        XCTAssertEqual(sum, values.reduce(0, +), accuracy: sum * 1e-5)
    }
}
