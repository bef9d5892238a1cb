import Foundation
import LlamaModel
import Trainer

/// D-Pruner's dual importance (Zhang et al. 2024), as this project reads the released code (see
/// docs in README "Pruning"): general importance G from open-domain text is folded into the domain
/// gradient, and the domain score is a second-order Taylor estimate of the loss change from removing
/// each weight.
///
/// - General importance: `G_ij = W_ij² · H_jj` with `H = (2/T)·XᵀX` on the calibration text — the OBS
///   saliency `w²/[H⁻¹]_jj` with the Hessian taken diagonal (the released code uses SparseGPT's
///   sequential inverse-Hessian diagonal instead).
/// - Regularised domain gradient per demonstration: `g̃ = g + 2λα²·G⊙g² / 1000` (the code's gradient edit
///   of L_NTP + λ·Σ G(θ′−θ)² with θ′−θ = −αg; λ = 0.1, α the learning rate).
/// - Score: `S = |−ḡθ + ½·F·θ²|` with ḡ the mean and F the mean square (empirical Fisher) of g̃ over the
///   domain rows. Weights are scored at the pretrained point (no SGD steps), and the mask is applied to the
///   pretrained weights, as in the paper.
public struct DPrunerImportance {
    public var lambda: Float = 0.1
    public var learningRate: Float = 0.03
    /// The released code's divisor of the regulariser term.
    public var regulariserScale: Float = 1000

    public init() {}

    /// Diagonal-Hessian general importance from a calibration pass.
    public static func generalImportance(_ weights: LlamaWeights, calibration: CalibrationForward) throws -> ImportanceScores {
        guard calibration.tokenCount > 0 else { throw PruningError.invalidInput("D-Pruner needs general calibration text") }
        var out = ImportanceScores()
        let t = Double(calibration.tokenCount)
        for m in weights.config.prunableMatrices {
            let w = try weights.tensor(m.name)
            let h = calibration.inputSquares[m.name]!.map { Float(2 * $0 / t) }
            var s = [Float](repeating: 0, count: m.count)
            for r in 0..<m.rows { for c in 0..<m.columns { let v = w[r * m.columns + c]; s[r * m.columns + c] = v * v * h[c] } }
            out[m.name] = s
        }
        return out
    }

    /// What the regulariser did, so a report can say whether the general term mattered at this scale.
    public struct Diagnostics: Sendable, Codable {
        /// Rows whose gradients were used.
        public var rows = 0
        /// Σ|regulariser term| / Σ|g| over all prunable weights and rows.
        public var regulariserToGradient: Double = 0
    }

    /// Scores every prunable weight from per-row gradients on the domain examples.
    public func scores(_ weights: LlamaWeights, general: ImportanceScores, domain: [TrainingExample],
                       sequenceLength: Int) throws -> (ImportanceScores, Diagnostics) {
        let matrices = weights.config.prunableMatrices
        // Running sums per matrix, updated in place (a dictionary of arrays would copy them on every row).
        var sums = matrices.map { [Double](repeating: 0, count: $0.count) }, squares = sums
        let general = try matrices.map { m -> [Float] in
            guard let g = general[m.name], g.count == m.count else { throw PruningError.invalidInput("no general importance for \(m.name)") }
            return g
        }
        var diagnostics = Diagnostics()
        var regulariser = 0.0, gradient = 0.0
        let coefficient = 2 * lambda * learningRate * learningRate / regulariserScale
        try DomainGradients.forEachRow(weights: weights, examples: domain, sequenceLength: sequenceLength) { grads in
            diagnostics.rows += 1
            for (k, m) in matrices.enumerated() {
                let g = grads(m.name), gen = general[k]
                var edits = 0.0, plain = 0.0
                sums[k].withUnsafeMutableBufferPointer { s in
                    squares[k].withUnsafeMutableBufferPointer { q in
                        for i in 0..<m.count {
                            let gi = Double(g[i]), edit = Double(coefficient) * Double(gen[i]) * gi * gi
                            let tilde = gi + edit
                            edits += abs(edit); plain += abs(gi)
                            s[i] += tilde; q[i] += tilde * tilde
                        }
                    }
                }
                regulariser += edits; gradient += plain
            }
        }
        guard diagnostics.rows > 0 else { throw PruningError.invalidInput("D-Pruner needs domain demonstrations with assistant targets") }
        diagnostics.regulariserToGradient = gradient > 0 ? regulariser / gradient : 0
        var out = ImportanceScores()
        let n = Double(diagnostics.rows)
        for (k, m) in matrices.enumerated() {
            let w = try weights.tensor(m.name), s = sums[k], q = squares[k]
            out[m.name] = (0..<m.count).map { i in
                let theta = Double(w[i]), mean = s[i] / n, fisher = q[i] / n
                return Float(abs(-mean * theta + 0.5 * fisher * theta * theta))
            }
        }
        return (out, diagnostics)
    }
}
