import LlamaModel

/// |W_ij|: the data-free baseline.
public enum MagnitudeImportance {
    public static func scores(_ weights: LlamaWeights) throws -> ImportanceScores {
        var out = ImportanceScores()
        for m in weights.config.prunableMatrices { out[m.name] = try weights.tensor(m.name).map { abs($0) } }
        return out
    }
}
