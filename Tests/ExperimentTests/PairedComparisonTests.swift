import Foundation
import XCTest
@testable import Experiment
import Evaluation

final class PairedComparisonTests: XCTestCase {
    func outcomes(both: Int, onlyA: Int, onlyB: Int, neither: Int) -> [(Bool, Bool)] {
        Array(repeating: (true, true), count: both) + Array(repeating: (true, false), count: onlyA)
            + Array(repeating: (false, true), count: onlyB) + Array(repeating: (false, false), count: neither)
    }

    func testCountsTheTwoByTwoTable() {
        let c = PairedComparison(a: "base", b: "nnetnav", outcomes: outcomes(both: 3, onlyA: 1, onlyB: 4, neither: 12))
        XCTAssertEqual([c.pairs, c.bothPassed, c.onlyA, c.onlyB, c.neither], [20, 3, 1, 4, 12])
        XCTAssertEqual(c.difference, 3.0 / 20, accuracy: 1e-12)
    }

    /// Exact McNemar: 1 vs 9 discordant pairs is 2·P(X ≤ 1), X ~ Binomial(10, ½) = 2·11/1024.
    func testExactMcNemarMatchesTheBinomialTail() {
        let c = PairedComparison(a: "a", b: "b", outcomes: outcomes(both: 5, onlyA: 1, onlyB: 9, neither: 5))
        XCTAssertEqual(c.mcnemarP, 22.0 / 1024, accuracy: 1e-12)
        let even = PairedComparison(a: "a", b: "b", outcomes: outcomes(both: 2, onlyA: 3, onlyB: 3, neither: 2))
        XCTAssertEqual(even.mcnemarP, 1, accuracy: 1e-12, "a symmetric table is no evidence")
        let none = PairedComparison(a: "a", b: "b", outcomes: outcomes(both: 4, onlyA: 0, onlyB: 0, neither: 4))
        XCTAssertEqual(none.mcnemarP, 1)
        // 0 vs 6: 2·(1/64).
        XCTAssertEqual(PairedComparison(a: "a", b: "b", outcomes: outcomes(both: 0, onlyA: 0, onlyB: 6, neither: 0)).mcnemarP,
                       2.0 / 64, accuracy: 1e-12)
    }

    /// With no correlation between the arms (a·d = b·c), Newcombe's paired interval reduces to his
    /// hybrid score interval for independent proportions: the Wilson half-widths added in quadrature.
    func testUncorrelatedTablesReduceToTheHybridScoreInterval() {
        // a·d = 4·9 = 36 = b·c = 6·6.
        let c = PairedComparison(a: "first", b: "second", outcomes: outcomes(both: 4, onlyA: 6, onlyB: 6, neither: 9))
        let rateA = SuccessRate(passed: 10, total: 25), rateB = SuccessRate(passed: 10, total: 25)
        let (l1, u1) = rateA.wilsonInterval(), (l2, u2) = rateB.wilsonInterval()
        let p = 0.4
        XCTAssertEqual(c.difference, 0, accuracy: 1e-12)
        XCTAssertEqual(c.interval.lower, -((p - l2) * (p - l2) + (u1 - p) * (u1 - p)).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(c.interval.upper, ((u2 - p) * (u2 - p) + (p - l1) * (p - l1)).squareRoot(), accuracy: 1e-12)
        // A positive correlation (the usual case: the same tasks are easy for both arms) narrows it.
        let correlated = PairedComparison(a: "first", b: "second", outcomes: outcomes(both: 9, onlyA: 1, onlyB: 1, neither: 14))
        XCTAssertLessThan(correlated.interval.upper - correlated.interval.lower, c.interval.upper - c.interval.lower)
    }

    func testIntervalContainsTheDifferenceAndNarrowsWithMorePairs() {
        let small = PairedComparison(a: "a", b: "b", outcomes: outcomes(both: 2, onlyA: 1, onlyB: 3, neither: 4))
        let large = PairedComparison(a: "a", b: "b", outcomes: outcomes(both: 20, onlyA: 10, onlyB: 30, neither: 40))
        for c in [small, large] {
            XCTAssertLessThanOrEqual(c.interval.lower, c.difference)
            XCTAssertGreaterThanOrEqual(c.interval.upper, c.difference)
            XCTAssertGreaterThanOrEqual(c.interval.lower, -1)
            XCTAssertLessThanOrEqual(c.interval.upper, 1)
        }
        XCTAssertLessThan(large.interval.upper - large.interval.lower, small.interval.upper - small.interval.lower)
        XCTAssertTrue(small.text.contains("McNemar exact p"), small.text)
    }
}
