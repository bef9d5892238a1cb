import Foundation
import LlamaModel
import NNetnavSupport

/// A tiny random Llama model, the one recipe the engine, trainer and pruning tests build on.
public enum TinyLlama {
    public static let config = LlamaConfig(vocabSize: 300, dim: 64, hiddenDim: 96, layerCount: 2, headCount: 4,
                                           kvHeadCount: 2, contextLength: 128, ropeTheta: 10_000, rmsNormEps: 1e-5,
                                           tiedEmbeddings: true)

    /// Norm gains near 1 and matrices scaled by 1/√columns, so activations stay in a useful range.
    public static func weights(seed: UInt64 = 7, config: LlamaConfig = config) -> LlamaWeights {
        var rng = SplitMix64(seed: seed)
        var tensors: [String: [Float]] = [:]
        for tensor in config.tensors {
            let n = tensor.shape.reduce(1, *)
            if tensor.shape.count == 1 {
                tensors[tensor.name] = (0..<n).map { _ in Float.random(in: 0.8...1.2, using: &rng) }
            } else {
                let scale = 1 / Float(tensor.shape[1]).squareRoot()
                tensors[tensor.name] = (0..<n).map { _ in Float.random(in: -1.7...1.7, using: &rng) * scale }
            }
        }
        return LlamaWeights(config: config, tensors: tensors)
    }

    public static func tokens(_ count: Int, seed: UInt64) -> [Int] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in Int.random(in: 0..<config.vocabSize, using: &rng) }
    }
}

/// A deliberately plain Llama forward pass (Double precision, nested loops, no cache), written apart
/// from the engine, the trainer and the pruning code to check them.
public enum NaiveLlama {
    public struct Trace {
        /// Logits at every position of the input.
        public var logits: [[Double]] = []
        /// The inputs each projection saw, by weight name: one row per token.
        public var inputs: [String: [[Double]]] = [:]

        /// Mean cross-entropy of `targets` (position → next token id); 0 without targets.
        public func loss(targets: [Int: Int]) -> Double {
            guard !targets.isEmpty else { return 0 }
            let sum = targets.reduce(0.0) { $0 - NaiveLlama.logSoftmax(logits[$1.key], $1.value) }
            return sum / Double(targets.count)
        }
    }

    public static func logits(_ w: LlamaWeights, _ tokens: [Int]) -> [[Double]] { trace(w, tokens).logits }

    public static func trace(_ w: LlamaWeights, _ tokens: [Int]) -> Trace {
        let c = w.config, hd = c.headDim, dim = c.dim
        var out = Trace()
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
                    var s = (0...i).map { j in
                        (0..<hd).reduce(0.0) { $0 + qs[i][h * hd + $1] * ks[j][g * hd + $1] } / Double(hd).squareRoot()
                    }
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
        let head = t(c.tiedEmbeddings ? LlamaTensorName.tokenEmbedding : LlamaTensorName.output)
        let norm = t(LlamaTensorName.outputNorm)
        out.logits = xs.map { matvec(head, rms($0, norm), rows: c.vocabSize) }
        return out
    }

    /// The log-probability of `continuation` after `prompt`, from one naive forward over both: the
    /// reference every scoring path of the engine is checked against.
    public static func continuationLogProbability(_ weights: LlamaWeights, prompt: [Int], continuation: [Int]) -> Double {
        let all = logits(weights, prompt + continuation)
        return continuation.enumerated().reduce(0.0) { $0 + logSoftmax(all[prompt.count - 1 + $1.offset], $1.element) }
    }

    public static func logSoftmax(_ row: [Double], _ i: Int) -> Double {
        let m = row.max()!
        return row[i] - m - log(row.reduce(0) { $0 + exp($1 - m) })
    }
}
