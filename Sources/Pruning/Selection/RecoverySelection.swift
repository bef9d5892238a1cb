import Foundation

/// One candidate recovery row as PASER sees it.
public struct RecoveryCandidate: Sendable {
    /// The model's embedding of the row's instruction.
    public var embedding: [Double]
    /// How much worse the pruned model does on the row's targets than the dense one (mean JSD by default).
    public var degradation: Double
    /// Prompt plus target tokens (PASER's cost term).
    public var tokens: Int
    /// Prompt text and target action, for the conflict filter.
    public var prompt: String
    public var action: String

    public init(embedding: [Double], degradation: Double, tokens: Int, prompt: String, action: String) {
        self.embedding = embedding
        self.degradation = degradation
        self.tokens = tokens
        self.prompt = prompt
        self.action = action
    }
}

/// PASER (He et al.): cluster the pool, give each cluster a share of the budget by its mean degradation,
/// take each cluster's rows by degradation per unit of cost (`JSD / log(tokens²)`), and drop rows that
/// conflict with ones already taken, refilling from the same cluster's next rows.
public struct RecoverySelection {
    public var clusters: Int
    public var clustering: SpectralClustering
    public var conflictThreshold = 0.9

    public init(clusters: Int, seed: UInt64 = 42) {
        self.clusters = clusters
        clustering = SpectralClustering(clusters: clusters, seed: seed)
    }

    public struct Result: Codable, Sendable {
        /// Selected pool indices, in selection order.
        public var selected: [Int]
        public var clusterOfRow: [Int]
        public var clusterSizes: [Int]
        public var clusterDegradation: [Double]
        public var allocation: [Int]
        /// Rows the conflict filter refused.
        public var conflicts: [Int]
    }

    /// PASER's within-cluster ranking score.
    public static func efficiency(_ c: RecoveryCandidate) -> Double { c.degradation / log(max(Double(c.tokens * c.tokens), 3)) }

    public func select(_ pool: [RecoveryCandidate], budget: Int) -> Result {
        let labels = clustering.assign(pool.map(\.embedding))
        let k = (labels.max() ?? -1) + 1
        let members = (0..<k).map { c in pool.indices.filter { labels[$0] == c } }
        let degradation = members.map { m in m.isEmpty ? 0 : m.reduce(0.0) { $0 + pool[$1].degradation } / Double(m.count) }
        let allocation = BudgetAllocation.allocate(budget: budget, degradation: degradation, sizes: members.map(\.count))
        var filter = ConflictFilter(threshold: conflictThreshold)
        var selected: [Int] = [], conflicts: [Int] = []
        // Most-degraded clusters choose first, so a conflict is settled in favour of the more useful row.
        let order = (0..<k).sorted { degradation[$0] != degradation[$1] ? degradation[$0] > degradation[$1] : $0 < $1 }
        for c in order {
            let ranked = members[c].sorted { Self.efficiency(pool[$0]) != Self.efficiency(pool[$1]) ? Self.efficiency(pool[$0]) > Self.efficiency(pool[$1]) : $0 < $1 }
            var taken = 0
            for i in ranked where taken < allocation[c] {
                if filter.accept(prompt: pool[i].prompt, action: pool[i].action) { selected.append(i); taken += 1 } else { conflicts.append(i) }
            }
        }
        return Result(selected: selected, clusterOfRow: labels, clusterSizes: members.map(\.count), clusterDegradation: degradation,
                      allocation: allocation, conflicts: conflicts)
    }
}
