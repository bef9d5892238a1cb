import Foundation

/// A success count out of a total, with the Wilson score interval at 95%: the one way every
/// report and summary states a success rate, so a rate is never shown without its count and its
/// uncertainty (16 episodes at 25% is anywhere from 10% to 50%).
///
/// Wilson rather than the normal approximation: it stays inside [0, 1] and is not degenerate
/// at 0 or all successes, which small evaluations hit often.
public struct SuccessRate: Sendable, Codable, Hashable {
    public var passed: Int
    public var total: Int

    public init(passed: Int, total: Int) {
        self.passed = passed
        self.total = total
    }

    /// z for a two-sided 95% interval.
    public static let z95 = 1.959963984540054

    public var fraction: Double { total == 0 ? 0 : Double(passed) / Double(total) }
    public var percent: Double { 100 * fraction }

    /// The Wilson score interval as fractions; (0, 1) with no observations.
    public func wilsonInterval(z: Double = SuccessRate.z95) -> (lower: Double, upper: Double) {
        guard total > 0 else { return (0, 1) }
        let n = Double(total), p = fraction, z2 = z * z
        let center = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = z / (1 + z2 / n) * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        return (max(0, center - half), min(1, center + half))
    }

    /// "25.0% (4/16, 95% CI 10.2–49.5%)", or "-" with no observations.
    public var text: String {
        guard total > 0 else { return "-" }
        let (lower, upper) = wilsonInterval()
        return String(format: "%.1f%% (%d/%d, 95%% CI %.1f–%.1f%%)", percent, passed, total, 100 * lower, 100 * upper)
    }

    public static func + (a: SuccessRate, b: SuccessRate) -> SuccessRate {
        SuccessRate(passed: a.passed + b.passed, total: a.total + b.total)
    }
}
