import Foundation

/// Two arms compared on the same episodes (same tasks, same seeds): the counts of the 2×2 table,
/// the difference in success rate with Newcombe's hybrid-score interval for paired proportions
/// (1998, method 10, without a continuity correction of the correlation), and the exact McNemar test (a two-sided binomial test on the discordant
/// pairs), which is what a paired design with small counts calls for.
public struct PairedComparison: Sendable, Codable, Equatable {
    public var a: String
    public var b: String
    /// Episodes both arms ran.
    public var pairs: Int
    public var bothPassed: Int
    /// a passed, b failed.
    public var onlyA: Int
    /// b passed, a failed.
    public var onlyB: Int
    public var neither: Int

    public init(a: String, b: String, outcomes: [(Bool, Bool)]) {
        self.a = a
        self.b = b
        pairs = outcomes.count
        bothPassed = outcomes.filter { $0.0 && $0.1 }.count
        onlyA = outcomes.filter { $0.0 && !$0.1 }.count
        onlyB = outcomes.filter { !$0.0 && $0.1 }.count
        neither = outcomes.filter { !$0.0 && !$0.1 }.count
    }

    /// Success of b minus success of a.
    public var difference: Double { pairs == 0 ? 0 : Double(onlyB - onlyA) / Double(pairs) }

    /// 95% interval of `difference` (Newcombe's method 10: Wilson intervals of both rates, combined
    /// with the pairs' correlation).
    public var interval: (lower: Double, upper: Double) {
        guard pairs > 0 else { return (-1, 1) }
        let rateA = SuccessRate(passed: bothPassed + onlyA, total: pairs)
        let rateB = SuccessRate(passed: bothPassed + onlyB, total: pairs)
        let (l1, u1) = rateA.wilsonInterval(), (l2, u2) = rateB.wilsonInterval()
        let p1 = rateA.fraction, p2 = rateB.fraction
        let a = Double(bothPassed), b = Double(onlyA), c = Double(onlyB), d = Double(neither)
        let denominator = ((a + b) * (c + d) * (a + c) * (b + d)).squareRoot()
        let phi = denominator == 0 ? 0 : (a * d - b * c) / denominator
        // Interval of p2 - p1.
        let delta = ((p2 - l2) * (p2 - l2) - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) * (u1 - p1)).squareRoot()
        let epsilon = ((u2 - p2) * (u2 - p2) - 2 * phi * (u2 - p2) * (p1 - l1) + (p1 - l1) * (p1 - l1)).squareRoot()
        let difference = p2 - p1
        return (max(-1, difference - delta), min(1, difference + epsilon))
    }

    /// Exact two-sided McNemar p-value: P(a binomial(onlyA + onlyB, ½) is as far from even as observed).
    public var mcnemarP: Double {
        let discordant = onlyA + onlyB
        guard discordant > 0 else { return 1 }
        let k = min(onlyA, onlyB)
        var tail = 0.0
        for i in 0...k { tail += Self.binomialProbability(n: discordant, k: i) }
        return min(1, 2 * tail)
    }

    static func binomialProbability(n: Int, k: Int) -> Double {
        // exp(log C(n, k) - n log 2), stable for the few hundred episodes an experiment has.
        exp(lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1)) - Double(n) * log(2))
    }

    /// "nnetnav − base: +6.2 points (95% CI −3.1 to +15.4), 5 vs 1 discordant, McNemar exact p = 0.22 (n = 32)".
    public var text: String {
        let (lower, upper) = interval
        return String(format: "%@ − %@: %+.1f points (95%% CI %+.1f to %+.1f), %d vs %d discordant, McNemar exact p = %.3g (n = %d)",
                      b, a, 100 * difference, 100 * lower, 100 * upper, onlyB, onlyA, mcnemarP, pairs)
    }

    enum CodingKeys: String, CodingKey { case a, b, pairs, bothPassed, onlyA, onlyB, neither }
}
