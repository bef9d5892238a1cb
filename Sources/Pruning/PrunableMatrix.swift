import LlamaModel

/// One linear weight a pruner may zero: its GGUF name, block, role and (out, in) shape.
/// Embeddings, norms and the output head are never pruned (the head is tied on SmolLM2).
public struct PrunableMatrix: Sendable, Hashable {
    public var name: String
    public var layer: Int
    public var role: LlamaTensor.Role
    public var rows: Int
    public var columns: Int
    public var count: Int { rows * columns }
}

extension LlamaConfig {
    /// The seven projections of every block, in canonical tensor order.
    public var prunableMatrices: [PrunableMatrix] {
        let roles: Set<LlamaTensor.Role> = [.query, .key, .value, .attentionOutput, .ffnGate, .ffnUp, .ffnDown]
        return tensors.compactMap { t in
            guard roles.contains(t.role), let layer = t.layer, t.shape.count == 2 else { return nil }
            return PrunableMatrix(name: t.name, layer: layer, role: t.role, rows: t.shape[0], columns: t.shape[1])
        }
    }
}

/// Per-weight importance of every prunable matrix (same shape as the weight, row-major):
/// higher means keep. What every method produces and every pattern consumes.
public struct ImportanceScores: Sendable {
    public var scores: [String: [Float]]
    public init(scores: [String: [Float]] = [:]) { self.scores = scores }
    public subscript(name: String) -> [Float]? {
        get { scores[name] }
        set { scores[name] = newValue }
    }
}
