import Foundation
import LlamaModel

/// IFPruning's sparsity predictor, small: a linear head from the model's mean-pooled embedding of the
/// instruction to a score for every FFN channel of every block (`layers × hidden` outputs), fitted by ridge
/// regression to per-demonstration channel importance. The mask keeps each block's `keep` best channels.
/// The intercept alone (the mean importance) is the static structured mask it is compared with.
public struct ChannelPredictor: Sendable {
    public var layers: Int
    public var hidden: Int
    public var keep: Int
    /// d × (layers·hidden), row-major.
    public var weight: [Float]
    public var inputMean: [Float]
    public var outputMean: [Float]

    public var inputDimension: Int { inputMean.count }

    /// Fits `targets[r]` (layers·hidden values) from `inputs[r]` with ridge penalty `ridge` (relative to the
    /// mean squared input norm), in the dual form (an N×N solve, N = rows ≪ d).
    public static func fit(inputs: [[Float]], targets: [[Float]], layers: Int, hidden: Int, keep: Int, ridge: Double = 0.1) throws -> ChannelPredictor {
        let n = inputs.count
        guard n > 0, targets.count == n, let d = inputs.first?.count, inputs.allSatisfy({ $0.count == d }),
              targets.allSatisfy({ $0.count == layers * hidden }) else {
            throw PruningError.invalidInput("predictor training needs matching inputs and \(layers)×\(hidden) targets per row")
        }
        guard (1...hidden).contains(keep) else { throw PruningError.invalidInput("keep \(keep) is not in 1...\(hidden)") }
        let p = layers * hidden
        let mx = (0..<d).map { j in inputs.reduce(0.0) { $0 + Double($1[j]) } / Double(n) }
        let my = (0..<p).map { j in targets.reduce(0.0) { $0 + Double($1[j]) } / Double(n) }
        let x = inputs.map { row in (0..<d).map { Double(row[$0]) - mx[$0] } }
        var gram = (0..<n).map { i in (0..<n).map { j in zip(x[i], x[j]).reduce(0.0) { $0 + $1.0 * $1.1 } } }
        let scale = max((0..<n).reduce(0.0) { $0 + gram[$1][$1] } / Double(n), 1e-12)
        for i in 0..<n { gram[i][i] += ridge * scale }
        // α = (K + λI)⁻¹ Y_c, then W = X_cᵀ α.
        let centred = targets.map { row in (0..<p).map { Double(row[$0]) - my[$0] } }
        let alpha = try solve(gram, centred)
        var weight = [Float](repeating: 0, count: d * p)
        for r in 0..<n {
            for i in 0..<d where x[r][i] != 0 {
                let xi = x[r][i]
                for j in 0..<p { weight[i * p + j] += Float(xi * alpha[r][j]) }
            }
        }
        return ChannelPredictor(layers: layers, hidden: hidden, keep: keep, weight: weight,
                                inputMean: mx.map(Float.init), outputMean: my.map(Float.init))
    }

    /// Predicted importance of every channel for one instruction embedding.
    public func scores(_ embedding: [Float]) -> [Float] {
        let p = layers * hidden
        var out = outputMean
        for i in 0..<inputDimension {
            let xi = embedding[i] - inputMean[i]
            if xi == 0 { continue }
            for j in 0..<p { out[j] += xi * weight[i * p + j] }
        }
        return out
    }

    /// The kept channels of every block for one instruction.
    public func keptChannels(_ embedding: [Float]) -> [[Int]] { Self.topChannels(scores(embedding), layers: layers, hidden: hidden, keep: keep) }

    /// The static mask at the same active size: the mean importance's best channels.
    public var staticChannels: [[Int]] { Self.topChannels(outputMean, layers: layers, hidden: hidden, keep: keep) }

    public static func topChannels(_ scores: [Float], layers: Int, hidden: Int, keep: Int) -> [[Int]] {
        (0..<layers).map { l in
            let layer = Array(scores[l * hidden ..< (l + 1) * hidden])
            let negated = layer.map { -$0 }
            return MaskBuilder.lowest(keep, of: negated, in: 0..<hidden).sorted()
        }
    }

    /// Gaussian elimination with partial pivoting for the (symmetric positive definite) ridge system.
    static func solve(_ a: [[Double]], _ b: [[Double]]) throws -> [[Double]] {
        let n = a.count
        var m = a, rhs = b
        for col in 0..<n {
            let pivot = (col..<n).max { abs(m[$0][col]) < abs(m[$1][col]) }!
            guard abs(m[pivot][col]) > 1e-300 else { throw PruningError.invalidInput("singular predictor system") }
            m.swapAt(col, pivot); rhs.swapAt(col, pivot)
            for r in (col + 1)..<max(col + 1, n) {
                let f = m[r][col] / m[col][col]
                if f == 0 { continue }
                for c in col..<n { m[r][c] -= f * m[col][c] }
                for c in rhs[r].indices { rhs[r][c] -= f * rhs[col][c] }
            }
        }
        var x = rhs
        for r in stride(from: n - 1, through: 0, by: -1) {
            for c in x[r].indices {
                var s = rhs[r][c]
                for k in (r + 1)..<max(r + 1, n) { s -= m[r][k] * x[k][c] }
                x[r][c] = s / m[r][r]
            }
        }
        return x
    }
}

extension ChannelPredictor {
    /// Saves the head as safetensors (`weight`, `input_mean`, `output_mean`; sizes in the metadata).
    public func write(to url: URL) throws {
        let meta = ["nnetnav.predictor": "{\"layers\":\(layers),\"hidden\":\(hidden),\"keep\":\(keep)}"]
        try SafetensorsFile.write([(name: "weight", shape: [inputDimension, layers * hidden], values: weight),
                                   (name: "input_mean", shape: [inputDimension], values: inputMean),
                                   (name: "output_mean", shape: [layers * hidden], values: outputMean)], metadata: meta, to: url)
    }

    public static func load(_ url: URL) throws -> ChannelPredictor {
        let file = try SafetensorsFile(url: url)
        guard let json = file.metadata["nnetnav.predictor"], let data = json.data(using: .utf8),
              let sizes = try JSONSerialization.jsonObject(with: data) as? [String: Int],
              let layers = sizes["layers"], let hidden = sizes["hidden"], let keep = sizes["keep"] else {
            throw PruningError.invalidInput("\(url.path) is not a channel predictor")
        }
        return ChannelPredictor(layers: layers, hidden: hidden, keep: keep, weight: try file.floats("weight"),
                                inputMean: try file.floats("input_mean"), outputMean: try file.floats("output_mean"))
    }
}
