import LlamaModel

/// What a pruner removes from a model.
/// - `removed[name][i]` is true for every weight zeroed in that matrix (all patterns, structured ones included,
///   so counting zeros is one rule);
/// - `keptChannels[l]`: for `ffnChannels`, the sorted SwiGLU channels block `l` keeps;
/// - `removedHeads[l]`: for `heads`, the query heads block `l` loses.
public struct PruningMask: Sendable {
    public var pattern: PruningPattern
    public var removed: [String: [Bool]]
    public var keptChannels: [[Int]]?
    public var removedHeads: [[Int]]?

    /// Zeroed weights over all prunable matrices.
    public var removedCount: Int { removed.values.reduce(0) { $0 + $1.reduce(0) { $0 + ($1 ? 1 : 0) } } }
    public var totalCount: Int { removed.values.reduce(0) { $0 + $1.count } }
    public var sparsity: Double { totalCount > 0 ? Double(removedCount) / Double(totalCount) : 0 }

    /// The weights with every removed entry zeroed (same shapes).
    public func applied(to weights: LlamaWeights) throws -> LlamaWeights {
        var out = weights
        for (name, mask) in removed {
            var w = try weights.tensor(name)
            guard w.count == mask.count else { throw PruningError.invalidInput("mask of \(name) has \(mask.count) entries, weight \(w.count)") }
            for i in 0..<w.count where mask[i] { w[i] = 0 }
            out.tensors[name] = w
        }
        return out
    }
}

/// Builds masks from importance scores: the exact number of weights a pattern and sparsity call for, the
/// lowest-scored first, ties broken by position (so a mask is a pure function of its scores).
public struct MaskBuilder {
    public var pattern: PruningPattern
    public var sparsity: Double
    /// Compare unstructured weights within each output row instead of the whole matrix.
    public var withinRows = false
    /// Kept FFN channels are rounded up to a multiple of this, so the smaller model still decodes with the
    /// 32-value quantized blocks.
    public var channelMultiple = 32

    public init(pattern: PruningPattern, sparsity: Double, withinRows: Bool = false, channelMultiple: Int = 32) {
        self.pattern = pattern
        self.sparsity = sparsity
        self.withinRows = withinRows
        self.channelMultiple = channelMultiple
    }

    /// How many of `count` the sparsity removes: ⌊s·count⌋.
    public func removals(of count: Int) -> Int { min(count, Int((sparsity * Double(count)).rounded(.down))) }

    /// Channels each block keeps: `hidden − ⌊s·hidden⌋`, rounded up to `channelMultiple` when the width allows.
    public func keptChannelCount(hidden: Int) -> Int {
        let keep = max(1, hidden - removals(of: hidden))
        guard channelMultiple > 1, hidden % channelMultiple == 0 else { return keep }
        return min(hidden, (keep + channelMultiple - 1) / channelMultiple * channelMultiple)
    }

    public func build(_ scores: ImportanceScores, config: LlamaConfig) throws -> PruningMask {
        guard (0..<1).contains(sparsity) else { throw PruningError.invalidInput("sparsity \(sparsity) is not in [0, 1)") }
        let matrices = config.prunableMatrices
        for m in matrices {
            guard let s = scores[m.name], s.count == m.count else { throw PruningError.invalidInput("no scores of the right size for \(m.name)") }
        }
        switch pattern {
        case .unstructured:
            var removed: [String: [Bool]] = [:]
            for m in matrices {
                let s = scores[m.name]!
                var mask = [Bool](repeating: false, count: m.count)
                if withinRows {
                    let r = removals(of: m.columns)
                    for row in 0..<m.rows {
                        for c in Self.lowest(r, of: s, in: row * m.columns ..< (row + 1) * m.columns) { mask[c] = true }
                    }
                } else {
                    for i in Self.lowest(removals(of: m.count), of: s, in: 0..<m.count) { mask[i] = true }
                }
                removed[m.name] = mask
            }
            return PruningMask(pattern: pattern, removed: removed)
        case .nOfM(let n, let m):
            var removed: [String: [Bool]] = [:]
            for matrix in matrices {
                guard matrix.columns % m == 0 else { throw PruningError.invalidInput("\(matrix.name) has \(matrix.columns) inputs, not a multiple of \(m)") }
                let s = scores[matrix.name]!
                var mask = [Bool](repeating: false, count: matrix.count)
                for start in stride(from: 0, to: matrix.count, by: m) {
                    for i in Self.lowest(m - n, of: s, in: start ..< start + m) { mask[i] = true }
                }
                removed[matrix.name] = mask
            }
            return PruningMask(pattern: pattern, removed: removed)
        case .ffnChannels:
            let f = config.hiddenDim, d = config.dim
            let keep = keptChannelCount(hidden: f)
            var removed: [String: [Bool]] = [:], kept: [[Int]] = []
            for l in 0..<config.layerCount {
                let channel = Self.channelScores(scores, layer: l, config: config)
                let drop = Set(Self.lowest(f - keep, of: channel, in: 0..<f))
                kept.append((0..<f).filter { !drop.contains($0) })
                var rowMask = [Bool](repeating: false, count: f * d), columnMask = rowMask
                for j in drop {
                    for c in 0..<d { rowMask[j * d + c] = true; columnMask[c * f + j] = true }
                }
                removed[LlamaTensorName.ffnGate(l)] = rowMask
                removed[LlamaTensorName.ffnUp(l)] = rowMask
                removed[LlamaTensorName.ffnDown(l)] = columnMask
                for name in [LlamaTensorName.query(l), LlamaTensorName.key(l), LlamaTensorName.value(l), LlamaTensorName.attentionOutput(l)] {
                    removed[name] = [Bool](repeating: false, count: scores[name]!.count)
                }
            }
            return PruningMask(pattern: pattern, removed: removed, keptChannels: kept)
        case .heads:
            let h = config.headCount, hd = config.headDim, d = config.dim
            var removed: [String: [Bool]] = [:], heads: [[Int]] = []
            for l in 0..<config.layerCount {
                let headScore = Self.headScores(scores, layer: l, config: config)
                let drop = Self.lowest(removals(of: h), of: headScore, in: 0..<h).sorted()
                heads.append(drop)
                var qMask = [Bool](repeating: false, count: d * d), oMask = qMask
                for head in drop {
                    for e in head * hd ..< (head + 1) * hd {
                        for c in 0..<d { qMask[e * d + c] = true; oMask[c * d + e] = true }
                    }
                }
                removed[LlamaTensorName.query(l)] = qMask
                removed[LlamaTensorName.attentionOutput(l)] = oMask
                for name in [LlamaTensorName.key(l), LlamaTensorName.value(l), LlamaTensorName.ffnGate(l), LlamaTensorName.ffnUp(l), LlamaTensorName.ffnDown(l)] {
                    removed[name] = [Bool](repeating: false, count: scores[name]!.count)
                }
            }
            return PruningMask(pattern: pattern, removed: removed, removedHeads: heads)
        }
    }

    /// Importance of SwiGLU channel j of block `layer`: Σ of its gate row, up row and down column scores.
    public static func channelScores(_ scores: ImportanceScores, layer l: Int, config: LlamaConfig) -> [Float] {
        let f = config.hiddenDim, d = config.dim
        let gate = scores[LlamaTensorName.ffnGate(l)]!, up = scores[LlamaTensorName.ffnUp(l)]!, down = scores[LlamaTensorName.ffnDown(l)]!
        var out = [Float](repeating: 0, count: f)
        for j in 0..<f {
            var sum: Float = 0
            for c in 0..<d { sum += gate[j * d + c] + up[j * d + c] + down[c * f + j] }
            out[j] = sum
        }
        return out
    }

    /// Importance of query head h of block `layer`: Σ of its q rows and attention-output columns.
    public static func headScores(_ scores: ImportanceScores, layer l: Int, config: LlamaConfig) -> [Float] {
        let hd = config.headDim, d = config.dim
        let q = scores[LlamaTensorName.query(l)]!, o = scores[LlamaTensorName.attentionOutput(l)]!
        return (0..<config.headCount).map { h in
            var sum: Float = 0
            for e in h * hd ..< (h + 1) * hd { for c in 0..<d { sum += q[e * d + c] + o[c * d + e] } }
            return sum
        }
    }

    /// Indices of the `count` lowest scores in `range` (ties: lower index first), by the threshold value
    /// (a primitive sort, fast on million-weight matrices) and then a scan in index order.
    static func lowest(_ count: Int, of scores: [Float], in range: Range<Int>) -> [Int] {
        guard count > 0 else { return [] }
        if count >= range.count { return Array(range) }
        let threshold = scores[range].sorted()[count - 1]
        var below = 0
        for i in range where scores[i] < threshold { below += 1 }
        var ties = count - below
        var out: [Int] = []
        out.reserveCapacity(count)
        for i in range {
            if scores[i] < threshold { out.append(i) } else if scores[i] == threshold, ties > 0 { out.append(i); ties -= 1 }
        }
        return out
    }
}
