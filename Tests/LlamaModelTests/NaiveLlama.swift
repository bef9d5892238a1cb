import Foundation
@testable import LlamaModel

/// A deliberately plain Llama forward pass (Double precision, nested loops, no cache), written
/// independently of the engine to check it: logits for every position of `tokens`.
enum NaiveLlama {
    static func logits(_ w: LlamaWeights, _ tokens: [Int]) -> [[Double]] {
        let c = w.config
        let hd = c.headDim, dim = c.dim
        func t(_ n: String) -> [Double] { w.tensors[n]!.map(Double.init) }
        func matvec(_ m: [Double], _ x: [Double], rows: Int) -> [Double] {
            (0..<rows).map { r in (0..<x.count).reduce(0) { $0 + m[r * x.count + $1] * x[$1] } }
        }
        func rms(_ x: [Double], _ g: [Double]) -> [Double] {
            let s = (x.reduce(0) { $0 + $1 * $1 } / Double(x.count) + Double(c.rmsNormEps)).squareRoot()
            return zip(x, g).map { $0 / s * $1 }
        }
        func rope(_ v: [Double], pos: Int) -> [Double] {
            var v = v
            for h in 0..<v.count / hd {
                for i in 0..<hd / 2 {
                    let angle = Double(pos) * pow(Double(c.ropeTheta), -2 * Double(i) / Double(hd))
                    let a = v[h * hd + 2 * i], b = v[h * hd + 2 * i + 1]
                    v[h * hd + 2 * i] = a * cos(angle) - b * sin(angle)
                    v[h * hd + 2 * i + 1] = a * sin(angle) + b * cos(angle)
                }
            }
            return v
        }
        let emb = t(LlamaTensorName.tokenEmbedding)
        var xs = tokens.map { Array(emb[$0 * dim ..< ($0 + 1) * dim]) }
        for l in 0..<c.layerCount {
            let norm1 = t(LlamaTensorName.attentionNorm(l))
            let wq = t(LlamaTensorName.query(l)), wk = t(LlamaTensorName.key(l)), wv = t(LlamaTensorName.value(l))
            let wo = t(LlamaTensorName.attentionOutput(l))
            let hs = xs.map { rms($0, norm1) }
            let qs = hs.enumerated().map { rope(matvec(wq, $1, rows: dim), pos: $0) }
            let ks = hs.enumerated().map { rope(matvec(wk, $1, rows: c.kvDim), pos: $0) }
            let vs = hs.map { matvec(wv, $0, rows: c.kvDim) }
            for i in 0..<tokens.count {
                var out = [Double](repeating: 0, count: dim)
                for h in 0..<c.headCount {
                    let g = h / (c.headCount / c.kvHeadCount)
                    var scores = (0...i).map { j in
                        (0..<hd).reduce(0.0) { $0 + qs[i][h * hd + $1] * ks[j][g * hd + $1] } / Double(hd).squareRoot()
                    }
                    let m = scores.max()!
                    scores = scores.map { exp($0 - m) }
                    let s = scores.reduce(0, +)
                    for j in 0...i { for d in 0..<hd { out[h * hd + d] += scores[j] / s * vs[j][g * hd + d] } }
                }
                let proj = matvec(wo, out, rows: dim)
                xs[i] = zip(xs[i], proj).map(+)
            }
            let norm2 = t(LlamaTensorName.ffnNorm(l))
            let wg = t(LlamaTensorName.ffnGate(l)), wu = t(LlamaTensorName.ffnUp(l)), wd = t(LlamaTensorName.ffnDown(l))
            for i in 0..<tokens.count {
                let h = rms(xs[i], norm2)
                let g = matvec(wg, h, rows: c.hiddenDim), u = matvec(wu, h, rows: c.hiddenDim)
                let a = zip(g, u).map { $0 / (1 + exp(-$0)) * $1 }
                xs[i] = zip(xs[i], matvec(wd, a, rows: dim)).map(+)
            }
        }
        let head = t(c.tiedEmbeddings ? LlamaTensorName.tokenEmbedding : LlamaTensorName.output)
        let norm = t(LlamaTensorName.outputNorm)
        return xs.map { matvec(head, rms($0, norm), rows: c.vocabSize) }
    }

    static func logSoftmax(_ row: [Double], _ i: Int) -> Double {
        let m = row.max()!
        return row[i] - m - log(row.reduce(0) { $0 + exp($1 - m) })
    }
}
