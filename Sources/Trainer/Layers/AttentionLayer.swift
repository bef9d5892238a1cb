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

/// FlashAttention's schedule on the CPU: queries in blocks of `query` rows, keys in tiles of
/// `key` columns, a running (online) softmax per query row, and the probabilities recomputed
/// tile by tile in the backward from the saved log-sum-exp. Nothing of size T × T is ever held:
/// a worker's scratch is two `query × key` tiles, whatever the sequence length.
enum AttentionTiles {
    static let query = 64
    static let key = 128
}

/// Scratch for the tiled attention, carved out of the trainer's activation arena.
struct AttentionWorkspace {
    /// Per worker: scores tile, probability-gradient tile, running max and running sum per query row.
    var tiles: UnsafeMutablePointer<Float>
    /// rowsum(dO ∘ O) per (b, h, t): FlashAttention's D, computed once before the backward.
    var delta: UnsafeMutablePointer<Float>
    /// dQ partial sums of workers 1…n−1 (worker 0 writes into dq directly), B·H·T·hd each.
    var dqPartials: UnsafeMutablePointer<Float>
    var workers: Int

    static var tileFloats: Int { 2 * AttentionTiles.query * AttentionTiles.key + 2 * AttentionTiles.query }

    static func floats(shape s: AttentionShape, workers: Int) -> (tiles: Int, delta: Int, dqPartials: Int) {
        let n = s.batch * s.heads * s.seq
        return (workers * tileFloats, n, (workers - 1) * n * s.headDim)
    }

    func scores(_ w: Int) -> UnsafeMutablePointer<Float> { tiles + w * Self.tileFloats }
    func dscores(_ w: Int) -> UnsafeMutablePointer<Float> { scores(w) + AttentionTiles.query * AttentionTiles.key }
    func rowMax(_ w: Int) -> UnsafeMutablePointer<Float> { dscores(w) + AttentionTiles.query * AttentionTiles.key }
    func rowSum(_ w: Int) -> UnsafeMutablePointer<Float> { rowMax(w) + AttentionTiles.query }
}

/// The pointers one attention call works on, handed to the workers (each writes disjoint rows).
private struct AttentionOperands: @unchecked Sendable {
    /// Forward: the output O it writes. Backward: the output gradient dO it reads.
    var rows: UnsafeMutablePointer<Float>
    var lse: UnsafeMutablePointer<Float>
    var q: UnsafePointer<Float>
    var k: UnsafePointer<Float>
    var v: UnsafePointer<Float>
    var docStart: UnsafePointer<Int32>
    var workspace: AttentionWorkspace
}

/// Causal softmax attention with document boundaries: query t of a row attends to keys
/// docStart[t]...t, so sequences packed from several demonstrations never see each other.
/// Writes `out` (B, H, T, hd) and the log-sum-exp of each query row's scores `lse` (B, H, T),
/// which is all the backward needs besides q, k, v and out.
func attentionForward(_ out: UnsafeMutablePointer<Float>, _ lse: UnsafeMutablePointer<Float>,
                      _ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
                      docStart: UnsafePointer<Int32>, shape s: AttentionShape, workspace: AttentionWorkspace) {
    let bq = AttentionTiles.query
    var tasks: [(b: Int, h: Int, i0: Int)] = []
    var costs: [Int] = []
    for b in 0..<s.batch {
        for h in 0..<s.heads {
            for i0 in stride(from: 0, to: s.seq, by: bq) {
                tasks.append((b, h, i0))
                let i1 = min(i0 + bq, s.seq)
                costs.append((i1 - i0) * (i1 - Int(docStart[b * s.seq + i0])))
            }
        }
    }
    // Tiled GEMMs run inside the workers; their FLOPs are counted here, on the caller's thread.
    GEMMClock.count(flops: 4 * Double(s.headDim) * Double(costs.reduce(0, +)))
    let parts = WorkSplit.balanced(costs: costs, workers: workspace.workers)
    let ops = AttentionOperands(rows: out, lse: lse, q: q, k: k, v: v, docStart: docStart, workspace: workspace)
    let blocks = tasks
    WorkSplit.run(parts.count) { w in
        for t in parts[w] { forwardQueryBlock(ops, worker: w, b: blocks[t].b, h: blocks[t].h, i0: blocks[t].i0, shape: s) }
    }
}

private func forwardQueryBlock(_ o: AttentionOperands, worker w: Int, b: Int, h: Int, i0: Int, shape s: AttentionShape) {
    let t = s.seq, hd = s.headDim, bk = AttentionTiles.key
    let i1 = min(i0 + AttentionTiles.query, t), rows = i1 - i0
    let scale = 1 / Float(hd).squareRoot()
    let g = h / s.group
    let qb = o.q + ((b * s.heads + h) * t + i0) * hd
    let ob = o.rows + ((b * s.heads + h) * t + i0) * hd
    let kh = o.k + (b * s.kvHeads + g) * t * hd
    let vh = o.v + (b * s.kvHeads + g) * t * hd
    let ds = o.docStart + b * t
    let sc = o.workspace.scores(w), mx = o.workspace.rowMax(w), sm = o.workspace.rowSum(w)
    var keyStart = i1
    for r in i0..<i1 { keyStart = min(keyStart, Int(ds[r])) }
    ob.update(repeating: 0, count: rows * hd)
    mx.update(repeating: -.infinity, count: rows)
    sm.update(repeating: 0, count: rows)
    var j0 = keyStart
    while j0 < i1 {
        let j1 = min(j0 + bk, i1), width = j1 - j0
        Matmul.linear(sc, qb, kh + j0 * hd, m: rows, n: width, k: hd, alpha: scale)
        for r in 0..<rows {
            let row = sc + r * width
            let lo = max(Int(ds[i0 + r]), j0) - j0, hi = min(i0 + r, j1 - 1) - j0
            guard lo <= hi else { row.update(repeating: 0, count: width); continue }
            let m = max(mx[r], maxOf(row + lo, count: hi - lo + 1))
            row.update(repeating: 0, count: lo)
            let sum = VectorMath.expShifted(row + lo, count: hi - lo + 1, shift: m)
            (row + hi + 1).update(repeating: 0, count: width - hi - 1)
            let correction = expf(mx[r] - m)
            if correction != 1 {
                let orow = ob + r * hd
                for d in 0..<hd { orow[d] *= correction }
            }
            sm[r] = sm[r] * correction + sum
            mx[r] = m
        }
        Matmul.nn(ob, sc, vh + j0 * hd, m: rows, n: hd, k: width, beta: 1)
        j0 = j1
    }
    let lb = o.lse + (b * s.heads + h) * t + i0
    for r in 0..<rows {
        let inv = 1 / sm[r], orow = ob + r * hd
        for d in 0..<hd { orow[d] *= inv }
        lb[r] = mx[r] + logf(sm[r])
    }
}

/// D = rowsum(dO ∘ O) per (b, h, t), from the token-major output and its gradient (B·T, H·hd).
func attentionDelta(_ delta: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, out: UnsafePointer<Float>, shape s: AttentionShape) {
    let hd = s.headDim, c = s.heads * hd
    for b in 0..<s.batch {
        for t in 0..<s.seq {
            let dr = dout + (b * s.seq + t) * c, orow = out + (b * s.seq + t) * c
            for h in 0..<s.heads {
                var dot: Float = 0
                for d in 0..<hd { dot += dr[h * hd + d] * orow[h * hd + d] }
                delta[(b * s.heads + h) * s.seq + t] = dot
            }
        }
    }
}

private struct AttentionGradients: @unchecked Sendable {
    var dq: UnsafeMutablePointer<Float>
    var dk: UnsafeMutablePointer<Float>
    var dv: UnsafeMutablePointer<Float>
}

/// Gradients of `attentionForward`, FlashAttention-2 style: each task owns one key tile of one
/// key/value head (so dK and dV need no synchronisation) and walks the query blocks that can see
/// it, recomputing P = exp(S − lse). dQ sums over key tiles, so each worker keeps its own partial.
/// dq, dk and dv are overwritten. `delta` must hold `attentionDelta` of this call's dout.
func attentionBackward(_ dq: UnsafeMutablePointer<Float>, _ dk: UnsafeMutablePointer<Float>, _ dv: UnsafeMutablePointer<Float>,
                       _ dout: UnsafePointer<Float>, _ lse: UnsafePointer<Float>,
                       _ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
                       docStart: UnsafePointer<Int32>, shape s: AttentionShape, workspace: AttentionWorkspace) {
    let bk = AttentionTiles.key, t = s.seq
    var tasks: [(b: Int, g: Int, j0: Int)] = []
    var costs: [Int] = []
    for b in 0..<s.batch {
        for g in 0..<s.kvHeads {
            for j0 in stride(from: 0, to: t, by: bk) {
                tasks.append((b, g, j0))
                costs.append(min(bk, t - j0) * (t - j0))
            }
        }
    }
    GEMMClock.count(flops: 8 * Double(s.headDim * s.group) * Double(costs.reduce(0, +)))
    let parts = WorkSplit.balanced(costs: costs, workers: workspace.workers)
    let perWorker = s.batch * s.heads * t * s.headDim
    dq.update(repeating: 0, count: perWorker)
    if parts.count > 1 { workspace.dqPartials.update(repeating: 0, count: (parts.count - 1) * perWorker) }
    // The backward only reads `rows` (dO) and `lse`; the operand type is shared with the forward.
    let ops = AttentionOperands(rows: UnsafeMutablePointer(mutating: dout), lse: UnsafeMutablePointer(mutating: lse),
                                q: q, k: k, v: v, docStart: docStart, workspace: workspace)
    let grads = AttentionGradients(dq: dq, dk: dk, dv: dv)
    let tiles = tasks
    WorkSplit.run(parts.count) { w in
        let dqw = w == 0 ? grads.dq : ops.workspace.dqPartials + (w - 1) * perWorker
        for i in parts[w] {
            backwardKeyTile(ops, grads, dq: dqw, worker: w, b: tiles[i].b, g: tiles[i].g, j0: tiles[i].j0, shape: s)
        }
    }
    for w in 1..<max(parts.count, 1) {
        let p = workspace.dqPartials + (w - 1) * perWorker
        for i in 0..<perWorker { dq[i] += p[i] }
    }
}

private func backwardKeyTile(_ o: AttentionOperands, _ g: AttentionGradients, dq: UnsafeMutablePointer<Float>,
                             worker w: Int, b: Int, g kvHead: Int, j0: Int, shape s: AttentionShape) {
    let t = s.seq, hd = s.headDim, bq = AttentionTiles.query
    let j1 = min(j0 + AttentionTiles.key, t), width = j1 - j0
    let scale = 1 / Float(hd).squareRoot()
    let kvOff = ((b * s.kvHeads + kvHead) * t + j0) * hd
    let kb = o.k + kvOff, vb = o.v + kvOff, dkb = g.dk + kvOff, dvb = g.dv + kvOff
    let ds = o.docStart + b * t
    let p = o.workspace.scores(w), dp = o.workspace.dscores(w)
    dkb.update(repeating: 0, count: width * hd)
    dvb.update(repeating: 0, count: width * hd)
    for h in (kvHead * s.group)..<((kvHead + 1) * s.group) {
        let headRow = (b * s.heads + h) * t
        // Causal: only query rows i ≥ j0 can see this tile.
        var i0 = j0
        while i0 < t {
            let i1 = min(i0 + bq, t), rows = i1 - i0
            defer { i0 = i1 }
            var visible = false
            for r in i0..<i1 where Int(ds[r]) < j1 { visible = true; break }
            guard visible else { continue }
            let qb = o.q + (headRow + i0) * hd, dob = o.rows + (headRow + i0) * hd
            let lb = o.lse + headRow + i0, db = o.workspace.delta + headRow + i0
            Matmul.linear(p, qb, kb, m: rows, n: width, k: hd, alpha: scale)
            for r in 0..<rows {
                let row = p + r * width
                let lo = max(Int(ds[i0 + r]), j0) - j0, hi = min(i0 + r, j1 - 1) - j0
                guard lo <= hi else { row.update(repeating: 0, count: width); continue }
                row.update(repeating: 0, count: lo)
                _ = VectorMath.expShifted(row + lo, count: hi - lo + 1, shift: lb[r])
                (row + hi + 1).update(repeating: 0, count: width - hi - 1)
            }
            // dV += Pᵀ·dO ;  dP = dO·Vᵀ
            Matmul.tn(dvb, p, dob, m: width, n: hd, k: rows, beta: 1)
            Matmul.linear(dp, dob, vb, m: rows, n: width, k: hd)
            // dS = P ⊙ (dP − D), times the score scale (P is 0 where masked, so dS is too).
            for r in 0..<rows {
                let pr = p + r * width, dr = dp + r * width, d = db[r]
                for j in 0..<width { dr[j] = pr[j] * (dr[j] - d) * scale }
            }
            // dQ += dS·K ;  dK += dSᵀ·Q
            Matmul.nn(dq + (headRow + i0) * hd, dp, kb, m: rows, n: hd, k: width, beta: 1)
            Matmul.tn(dkb, dp, qb, m: width, n: hd, k: rows, beta: 1)
        }
    }
}
