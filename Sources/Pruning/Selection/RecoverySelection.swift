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
    /// Split each cluster's share across action kinds (click, scroll, stop, …) in proportion to how many
    /// rows of each kind the cluster holds, then rank within each kind. Without it the JSD ranking of a
    /// web policy's rows favours stops, whose copied answer text is where a pruned model diverges most
    /// (measured: 42 of a 10% budget's 52 rows), and the recovered model forgets every other action.
    public var stratifyByAction = false

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

    /// The operation an action names: `click [12]` → click, `stop [$9.99]` → stop.
    public static func actionKind(_ action: String) -> String {
        let trimmed = action.trimmingCharacters(in: .whitespaces)
        return String(trimmed.prefix { !$0.isWhitespace && $0 != "[" }).lowercased()
    }

    /// PASER's within-cluster ranking score.
    public static func efficiency(_ c: RecoveryCandidate) -> Double { c.degradation / log(max(Double(c.tokens * c.tokens), 3)) }

    /// `clusterLabels`: the clusters of an earlier selection over the same pool (then embeddings are unused).
    public func select(_ pool: [RecoveryCandidate], budget: Int, clusterLabels: [Int]? = nil) -> Result {
        let labels = clusterLabels ?? clustering.assign(pool.map(\.embedding))
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
            var tried = Set<Int>()
            func take(from rows: [Int], upTo quota: Int) {
                var took = 0
                for i in rows where took < quota && taken < allocation[c] && !tried.contains(i) {
                    tried.insert(i)
                    if filter.accept(prompt: pool[i].prompt, action: pool[i].action) { selected.append(i); taken += 1; took += 1 } else { conflicts.append(i) }
                }
            }
            if stratifyByAction {
                let kinds = ranked.map { Self.actionKind(pool[$0].action) }
                let names = Array(Set(kinds)).sorted()
                let counts = names.map { n in kinds.filter { $0 == n }.count }
                let quotas = BudgetAllocation.allocate(budget: allocation[c], degradation: counts.map(Double.init), sizes: counts)
                for (n, quota) in zip(names, quotas) { take(from: zip(ranked, kinds).filter { $0.1 == n }.map(\.0), upTo: quota) }
            }
            // Without strata, or to refill what conflicts left of a stratum: the cluster's best rows.
            take(from: ranked, upTo: allocation[c])
        }
        return Result(selected: selected, clusterOfRow: labels, clusterSizes: members.map(\.count), clusterDegradation: degradation,
                      allocation: allocation, conflicts: conflicts)
    }
}
