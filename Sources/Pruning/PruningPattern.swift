/// Which weights a mask may remove together.
/// - `unstructured`: any weight; the zero count is exact per comparison group (see `PruningMethod.comparesWithinRows`).
/// - `nOfM`: in every run of `m` consecutive input weights of a row, the `m − n` least important go.
/// - `ffnChannels`: whole SwiGLU channels (gate row j, up row j, down column j), the same number in every block,
///   so the kept channels gather into smaller dense matrices (`hiddenDim` shrinks) and decoding really gets faster.
/// - `heads`: whole query heads (their q rows and attention-output columns), the same number per block; zeroed in
///   place (the model config derives the head size from the width, so fewer heads cannot be stored smaller yet).
public enum PruningPattern: Sendable, Hashable, CustomStringConvertible {
    case unstructured
    case nOfM(n: Int, m: Int)
    case ffnChannels
    case heads

    public init?(argument: String) {
        switch argument.lowercased() {
        case "unstructured": self = .unstructured
        case "ffn-channels", "ffn": self = .ffnChannels
        case "heads": self = .heads
        default:
            let parts = argument.split(separator: ":").compactMap { Int($0) }
            guard parts.count == 2, parts[0] >= 1, parts[1] > parts[0] else { return nil }
            self = .nOfM(n: parts[0], m: parts[1])
        }
    }

    public var description: String {
        switch self {
        case .unstructured: "unstructured"
        case .nOfM(let n, let m): "\(n):\(m)"
        case .ffnChannels: "ffn-channels"
        case .heads: "heads"
        }
    }

    public var isStructured: Bool { self == .ffnChannels || self == .heads }
}

/// How weights are scored.
public enum PruningMethod: String, Sendable, CaseIterable {
    /// |W|: no data.
    case magnitude
    /// Wanda: |W_ij|·‖X_:,j‖₂ over open-domain calibration text.
    case wanda
    /// D-Pruner: second-order Taylor score on the domain with the gradient regularised by general importance.
    case dpruner

    /// Wanda compares weights within each output row (its paper); the others within a whole matrix (D-Pruner's
    /// per-matrix percentile, magnitude's layer-wise baseline).
    public var comparesWithinRows: Bool { self == .wanda }
}
