/// PASER's degradation-aware budget: cluster k gets `⌊B · CDS_k / Σ_j CDS_j⌋` rows (CDS = its mean
/// degradation), never more than it holds; rows left over by the floors and the caps go one at a time to the
/// most-degraded clusters that still have room, so the shares stay monotone in degradation and the total is
/// exactly `min(B, pool)`. With no degradation anywhere the budget follows cluster sizes.
public enum BudgetAllocation {
    public static func allocate(budget: Int, degradation: [Double], sizes: [Int]) -> [Int] {
        precondition(degradation.count == sizes.count)
        let target = min(max(0, budget), sizes.reduce(0, +))
        let weights = degradation.contains { $0 > 0 } ? degradation.map { max($0, 0) } : sizes.map(Double.init)
        let total = weights.reduce(0, +)
        guard total > 0 else { return sizes.map { _ in 0 } }
        var shares = zip(weights, sizes).map { min($1, Int((Double(target) * $0 / total).rounded(.down))) }
        var left = target - shares.reduce(0, +)
        let order = weights.indices.sorted { weights[$0] != weights[$1] ? weights[$0] > weights[$1] : $0 < $1 }
        while left > 0 {
            var gave = false
            for k in order where left > 0 && shares[k] < sizes[k] {
                shares[k] += 1; left -= 1; gave = true
            }
            if !gave { break }
        }
        return shares
    }
}
