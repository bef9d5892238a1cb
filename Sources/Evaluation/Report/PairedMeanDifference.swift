import Foundation

/// Two arms compared on a continuous score of the same units (a step's log-probability of the
/// reference), with units grouped in clusters (the steps of one task), which are not independent:
/// the difference b − a is averaged within each cluster, then across clusters, and the 95% interval
/// is Student's t over the cluster means (each task weighs the same, however many steps it has).
public struct PairedMeanDifference: Sendable, Codable, Equatable {
    public var a: String
    public var b: String
    public var label: String
    /// Units both arms scored, and the clusters they fall in.
    public var units: Int
    public var clusters: Int
    /// Mean of a's and b's scores over the units.
    public var meanA: Double
    public var meanB: Double
    /// Mean over clusters of the cluster's mean difference b − a, with its 95% t interval (nil with
    /// fewer than two clusters).
    public var difference: Double
    public var lower: Double?
    public var upper: Double?
    /// Clusters whose mean difference is positive / negative.
    public var clustersUp: Int
    public var clustersDown: Int

    /// `pairs`: (cluster, a's score, b's score) per unit.
    public init(a: String, b: String, label: String, pairs: [(cluster: String, a: Double, b: Double)]) {
        self.a = a
        self.b = b
        self.label = label
        units = pairs.count
        meanA = pairs.isEmpty ? 0 : pairs.map(\.a).reduce(0, +) / Double(pairs.count)
        meanB = pairs.isEmpty ? 0 : pairs.map(\.b).reduce(0, +) / Double(pairs.count)
        let byCluster = Dictionary(grouping: pairs, by: \.cluster).values.map { unit in
            unit.map { $0.b - $0.a }.reduce(0, +) / Double(unit.count)
        }
        clusters = byCluster.count
        clustersUp = byCluster.filter { $0 > 0 }.count
        clustersDown = byCluster.filter { $0 < 0 }.count
        let n = Double(byCluster.count)
        let mean = byCluster.isEmpty ? 0 : byCluster.reduce(0, +) / n
        difference = mean
        if byCluster.count >= 2 {
            let variance = byCluster.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1)
            let half = Self.tQuantile975(degreesOfFreedom: byCluster.count - 1) * (variance / n).squareRoot()
            lower = mean - half
            upper = mean + half
        } else {
            lower = nil
            upper = nil
        }
    }

    /// The 97.5% quantile of Student's t: the normal quantile corrected by the Cornish–Fisher series
    /// (Abramowitz & Stegun 26.7.5), within 0.1% of the exact value from 3 degrees of freedom up;
    /// exact values below that.
    public static func tQuantile975(degreesOfFreedom nu: Int) -> Double {
        switch nu {
        case ...0: return .infinity
        case 1: return 12.706204736
        case 2: return 4.302652730
        default: break
        }
        let z = 1.959963984540054, v = Double(nu)
        let z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z, z9 = z7 * z * z
        return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v)
            + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v)
            + (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * v * v * v * v)
    }

    /// "oracle − base [log-probability of the reference]: +0.42 by task (95% CI +0.10 to +0.74), 18 of 27 tasks up,
    /// 9 down; step means −1.89 vs −2.31 (117 steps)". The step means are b's then a's, in the order of the
    /// difference; they can differ in sign from it, since a task with many steps weighs more in them.
    public var text: String {
        let interval = lower.flatMap { l in upper.map { String(format: "95%% CI %+.3f to %+.3f", l, $0) } } ?? "no interval from one task"
        return String(format: "%@ − %@ [%@]: %+.3f by task (%@), %d of %d tasks up, %d down; step means %.3f vs %.3f (%d steps)",
                      b, a, label, difference, interval, clustersUp, clusters, clustersDown, meanB, meanA, units)
    }
}
