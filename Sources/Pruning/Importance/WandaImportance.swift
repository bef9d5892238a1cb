import LlamaModel

/// Wanda (Sun et al. 2024): S_ij = |W_ij|·‖X_:,j‖₂, with X the inputs the projection saw on the
/// open-domain calibration text (one forward pass, no weight update).
public enum WandaImportance {
    public static func scores(_ weights: LlamaWeights, calibration: CalibrationForward) throws -> ImportanceScores {
        guard calibration.tokenCount > 0 else { throw PruningError.invalidInput("Wanda needs calibration text (no tokens were run)") }
        var out = ImportanceScores()
        for m in weights.config.prunableMatrices {
            let w = try weights.tensor(m.name)
            let norms = calibration.inputSquares[m.name]!.map { Float($0.squareRoot()) }
            var s = [Float](repeating: 0, count: m.count)
            for r in 0..<m.rows { for c in 0..<m.columns { s[r * m.columns + c] = abs(w[r * m.columns + c]) * norms[c] } }
            out[m.name] = s
        }
        return out
    }
}
