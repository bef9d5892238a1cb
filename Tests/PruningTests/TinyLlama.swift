import Foundation
import LlamaModel
import NNetnavSupport

/// A tiny random Llama model for the pruning tests (same recipe as the engine's and trainer's tests).
enum TinyLlama {
    static let config = LlamaConfig(vocabSize: 300, dim: 64, hiddenDim: 96, layerCount: 2, headCount: 4, kvHeadCount: 2,
                                    contextLength: 128, ropeTheta: 10_000, rmsNormEps: 1e-5, tiedEmbeddings: true)

    static func weights(seed: UInt64 = 7, config: LlamaConfig = config) -> LlamaWeights {
        var rng = SplitMix64(seed: seed)
        var tensors: [String: [Float]] = [:]
        for tensor in config.tensors {
            let n = tensor.count
            if tensor.shape.count == 1 {
                tensors[tensor.name] = (0..<n).map { _ in Float.random(in: 0.8...1.2, using: &rng) }
            } else {
                let scale = 1 / Float(tensor.shape[1]).squareRoot()
                tensors[tensor.name] = (0..<n).map { _ in Float.random(in: -1.7...1.7, using: &rng) * scale }
            }
        }
        return LlamaWeights(config: config, tensors: tensors)
    }

    static func tokens(_ count: Int, seed: UInt64) -> [Int] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in Int.random(in: 0..<config.vocabSize, using: &rng) }
    }
}

/// A deliberately plain forward pass in Double (nested loops, written apart from the pruning code) that
/// records every projection's inputs and returns the mean loss on the `targets` positions.
enum NaiveForward {
    struct Output {
        /// Inputs each projection saw, by weight name: one row per token.
        var inputs: [String: [[Double]]] = [:]
        var loss = 0.0
    }

    static func run(_ w: LlamaWeights, _ tokens: [Int], targets: [Int: Int] = [:]) -> Output {
        let c = w.config, hd = c.headDim, dim = c.dim
        var out = Output()
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
            let hs = xs.map { rms($0, t(LlamaTensorName.attentionNorm(l))) }
            for name in [LlamaTensorName.query(l), LlamaTensorName.key(l), LlamaTensorName.value(l)] { out.inputs[name] = hs }
            let wq = t(LlamaTensorName.query(l)), wk = t(LlamaTensorName.key(l)), wv = t(LlamaTensorName.value(l))
            let qs = hs.enumerated().map { rope(matvec(wq, $1, rows: dim), pos: $0) }
            let ks = hs.enumerated().map { rope(matvec(wk, $1, rows: c.kvDim), pos: $0) }
            let vs = hs.map { matvec(wv, $0, rows: c.kvDim) }
            var attended: [[Double]] = []
            for i in 0..<tokens.count {
                var o = [Double](repeating: 0, count: dim)
                for h in 0..<c.headCount {
                    let g = h / (c.headCount / c.kvHeadCount)
                    var s = (0...i).map { j in (0..<hd).reduce(0.0) { $0 + qs[i][h * hd + $1] * ks[j][g * hd + $1] } / Double(hd).squareRoot() }
                    let m = s.max()!
                    s = s.map { exp($0 - m) }
                    let total = s.reduce(0, +)
                    for j in 0...i { for d in 0..<hd { o[h * hd + d] += s[j] / total * vs[j][g * hd + d] } }
                }
                attended.append(o)
            }
            out.inputs[LlamaTensorName.attentionOutput(l)] = attended
            let wo = t(LlamaTensorName.attentionOutput(l))
            for i in 0..<tokens.count { xs[i] = zip(xs[i], matvec(wo, attended[i], rows: dim)).map(+) }
            let h2 = xs.map { rms($0, t(LlamaTensorName.ffnNorm(l))) }
            out.inputs[LlamaTensorName.ffnGate(l)] = h2
            out.inputs[LlamaTensorName.ffnUp(l)] = h2
            let wg = t(LlamaTensorName.ffnGate(l)), wu = t(LlamaTensorName.ffnUp(l)), wd = t(LlamaTensorName.ffnDown(l))
            var acts: [[Double]] = []
            for i in 0..<tokens.count {
                let g = matvec(wg, h2[i], rows: c.hiddenDim), u = matvec(wu, h2[i], rows: c.hiddenDim)
                let a = zip(g, u).map { $0 / (1 + exp(-$0)) * $1 }
                acts.append(a)
                xs[i] = zip(xs[i], matvec(wd, a, rows: dim)).map(+)
            }
            out.inputs[LlamaTensorName.ffnDown(l)] = acts
        }
        let head = t(LlamaTensorName.tokenEmbedding), norm = t(LlamaTensorName.outputNorm)
        var sum = 0.0
        for (position, target) in targets {
            let logits = matvec(head, rms(xs[position], norm), rows: c.vocabSize)
            let m = logits.max()!
            sum += -(logits[target] - m - log(logits.reduce(0) { $0 + exp($1 - m) }))
        }
        out.loss = targets.isEmpty ? 0 : sum / Double(targets.count)
        return out
    }
}
