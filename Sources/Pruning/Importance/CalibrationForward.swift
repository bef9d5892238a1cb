import Foundation
import Kernels
import LlamaModel

/// A plain forward pass over `LlamaWeights` that records what the pruners need and the engine does not
/// expose: the squared norm of every input feature of every projection (Wanda's ‖X_:,j‖², the diagonal of
/// D-Pruner's general Hessian XᵀX) and the final hidden states (the model's own sentence embedding for
/// PASER and the instruction predictor). Sequences are short (calibration segments, instructions), so the
/// attention is direct loops; the projections go through the shared sgemm.
public final class CalibrationForward {
    public let weights: LlamaWeights
    /// Σ_t x_tj² per input feature, per projection name (inputs shared by q/k/v and by gate/up are stored
    /// once under each name so lookups stay by weight).
    public private(set) var inputSquares: [String: [Double]] = [:]
    /// Tokens run through the model so far.
    public private(set) var tokenCount = 0
    private let rope: RopeTable

    public init(weights: LlamaWeights, maxPositions: Int = 2048) {
        self.weights = weights
        let c = weights.config
        rope = RopeTable(headDim: c.headDim, maxPosition: min(maxPositions, c.contextLength), theta: c.ropeTheta)
        for m in c.prunableMatrices { inputSquares[m.name] = [Double](repeating: 0, count: m.columns) }
    }

    /// Most tokens one `run` takes.
    public var maxPositions: Int { rope.cos.count / rope.half }

    /// Runs one sequence; accumulates input norms when `record` is set. Returns the final-norm hidden
    /// states (tokens × dim, row-major).
    @discardableResult
    public func run(_ tokens: [Int], record: Bool = true) throws -> [Float] {
        let c = weights.config
        guard !tokens.isEmpty else { return [] }
        guard tokens.count <= maxPositions else { throw PruningError.invalidInput("calibration sequence of \(tokens.count) tokens exceeds \(maxPositions)") }
        for t in tokens where !(0..<c.vocabSize).contains(t) { throw PruningError.invalidInput("token id \(t) outside the vocabulary") }
        let n = tokens.count, d = c.dim, kv = c.kvDim, f = c.hiddenDim, hd = c.headDim
        let group = c.headCount / c.kvHeadCount
        let embedding = try weights.tensor(LlamaTensorName.tokenEmbedding)
        var x = [Float](repeating: 0, count: n * d)
        for (i, t) in tokens.enumerated() { for j in 0..<d { x[i * d + j] = embedding[t * d + j] } }
        var xn = [Float](repeating: 0, count: n * d), q = xn, att = xn, proj = xn
        var k = [Float](repeating: 0, count: n * kv), v = k
        var gate = [Float](repeating: 0, count: n * f), up = gate
        var scores = [Float](repeating: 0, count: n)
        let scale = 1 / Float(hd).squareRoot()
        for l in 0..<c.layerCount {
            let w = { (name: String) in try self.weights.tensor(name) }
            try rmsNorm(&xn, x, w(LlamaTensorName.attentionNorm(l)), rows: n, width: d)
            if record { for name in [LlamaTensorName.query(l), LlamaTensorName.key(l), LlamaTensorName.value(l)] { accumulate(name, xn, rows: n, width: d) } }
            try linear(&q, xn, w(LlamaTensorName.query(l)), rows: n, out: d, in: d)
            try linear(&k, xn, w(LlamaTensorName.key(l)), rows: n, out: kv, in: d)
            try linear(&v, xn, w(LlamaTensorName.value(l)), rows: n, out: kv, in: d)
            rotate(&q, rows: n, width: d)
            rotate(&k, rows: n, width: kv)
            for h in 0..<c.headCount {
                let g = h / group
                for t in 0..<n {
                    var best = -Float.infinity
                    for s in 0...t {
                        var dot: Float = 0
                        for e in 0..<hd { dot += q[t * d + h * hd + e] * k[s * kv + g * hd + e] }
                        scores[s] = dot * scale
                        best = max(best, scores[s])
                    }
                    var sum: Float = 0
                    for s in 0...t { scores[s] = expf(scores[s] - best); sum += scores[s] }
                    for e in 0..<hd {
                        var acc: Float = 0
                        for s in 0...t { acc += scores[s] * v[s * kv + g * hd + e] }
                        att[t * d + h * hd + e] = acc / sum
                    }
                }
            }
            if record { accumulate(LlamaTensorName.attentionOutput(l), att, rows: n, width: d) }
            try linear(&proj, att, w(LlamaTensorName.attentionOutput(l)), rows: n, out: d, in: d)
            for i in 0..<(n * d) { x[i] += proj[i] }
            try rmsNorm(&xn, x, w(LlamaTensorName.ffnNorm(l)), rows: n, width: d)
            if record { for name in [LlamaTensorName.ffnGate(l), LlamaTensorName.ffnUp(l)] { accumulate(name, xn, rows: n, width: d) } }
            try linear(&gate, xn, w(LlamaTensorName.ffnGate(l)), rows: n, out: f, in: d)
            try linear(&up, xn, w(LlamaTensorName.ffnUp(l)), rows: n, out: f, in: d)
            for i in 0..<(n * f) { let g = gate[i]; gate[i] = g / (1 + expf(-g)) * up[i] }
            if record { accumulate(LlamaTensorName.ffnDown(l), gate, rows: n, width: f) }
            try linear(&proj, gate, w(LlamaTensorName.ffnDown(l)), rows: n, out: d, in: f)
            for i in 0..<(n * d) { x[i] += proj[i] }
        }
        if record { tokenCount += n }
        try rmsNorm(&xn, x, weights.tensor(LlamaTensorName.outputNorm), rows: n, width: d)
        return xn
    }

    /// Mean of the final hidden states over the tokens: the model's embedding of a text.
    public func embed(_ tokens: [Int]) throws -> [Float] {
        let h = try run(Array(tokens.suffix(maxPositions)), record: false)
        let d = weights.config.dim, n = h.count / d
        var mean = [Float](repeating: 0, count: d)
        for t in 0..<n { for j in 0..<d { mean[j] += h[t * d + j] } }
        return mean.map { $0 / Float(max(n, 1)) }
    }

    private func accumulate(_ name: String, _ x: [Float], rows: Int, width: Int) {
        var acc = inputSquares[name]!
        for r in 0..<rows { for j in 0..<width { let value = Double(x[r * width + j]); acc[j] += value * value } }
        inputSquares[name] = acc
    }

    private func rmsNorm(_ out: inout [Float], _ x: [Float], _ weight: [Float], rows: Int, width: Int) {
        out.withUnsafeMutableBufferPointer { o in
            RMSNorm.forward(o.baseAddress!, x, weight, rows: rows, width: width, eps: weights.config.rmsNormEps)
        }
    }

    private func linear(_ out: inout [Float], _ x: [Float], _ w: [Float], rows: Int, out n: Int, in k: Int) {
        out.withUnsafeMutableBufferPointer { o in Matmul.linear(o.baseAddress!, x, w, m: rows, n: n, k: k) }
    }

    private func rotate(_ v: inout [Float], rows: Int, width: Int) {
        let hd = weights.config.headDim, half = rope.half
        v.withUnsafeMutableBufferPointer { p in
            rope.cos.withUnsafeBufferPointer { cosines in
                rope.sin.withUnsafeBufferPointer { sines in
                    for r in 0..<rows {
                        for h in 0..<width / hd {
                            let head = p.baseAddress! + r * width + h * hd
                            Rope.rotate(head, head, cos: cosines.baseAddress! + r * half, sin: sines.baseAddress! + r * half, headDim: hd)
                        }
                    }
                }
            }
        }
    }
}

public enum PruningError: Error, CustomStringConvertible {
    case invalidInput(String)
    public var description: String {
        switch self { case .invalidInput(let m): "pruning: \(m)" }
    }
}
