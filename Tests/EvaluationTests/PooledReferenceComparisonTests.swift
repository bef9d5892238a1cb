import Foundation
import XCTest
@testable import Evaluation

/// Several seeds' teacher-forced runs against one "before", pooled by task.
final class PooledReferenceComparisonTests: XCTestCase {
    /// Task `id` with one scroll step and one click step of the given log-probabilities.
    private func episode(_ id: Int, scroll: Double, click: Double) -> TaskEpisode {
        var e = EvaluationReportPageTests.episode(id, passed: false)
        e.steps = [(("scroll [down]"), scroll), ("click [3]", click)].map { reference, logP in
            var s = e.steps[0]
            s.referenceAction = reference
            s.matchesReference = false
            s.referenceLogProbability = logP
            return s
        }
        return e
    }

    func testEachTasksDifferenceIsItsMeanOverStepsAndRuns() throws {
        let before = (0..<3).map { episode($0, scroll: -1, click: -10) }
        // Run 1 gains 4 on every click, run 2 gains 2; scrolls lose 1 in both. Task 2 is missing from run 2.
        let first = (0..<3).map { episode($0, scroll: -2, click: -6) }
        let second = (0..<2).map { episode($0, scroll: -2, click: -8) }
        let pooled = try XCTUnwrap(PooledReferenceComparison(beforeLabel: "base", afterLabel: "tuned",
                                                             runs: [(before, first), (before, second)]))
        XCTAssertEqual(pooled.runs.count, 2)
        let clicks = try XCTUnwrap(pooled.logProbabilityWithoutScrolls)
        XCTAssertEqual(clicks.units, 5, "3 + 2 paired click steps")
        XCTAssertEqual(clicks.clusters, 3)
        // Tasks 0 and 1: (4 + 2) / 2 = 3; task 2: 4 (run 1 only). Mean over tasks: 10 / 3.
        XCTAssertEqual(clicks.difference, 10.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(clicks.clustersUp, 3)
        let all = try XCTUnwrap(pooled.logProbability)
        XCTAssertEqual(all.units, 10)
        // Tasks 0 and 1: (−1 + 4 − 1 + 2) / 4 = 1; task 2: (−1 + 4) / 2 = 1.5.
        XCTAssertEqual(all.difference, (1 + 1 + 1.5) / 3, accuracy: 1e-12)
        XCTAssertNotNil(all.lower)
        XCTAssertTrue(pooled.lines.last!.contains("2 runs pooled by task"), pooled.lines.last!)
    }

    func testOneRunPooledIsThatRunsOwnComparison() throws {
        let before = (0..<4).map { episode($0, scroll: -1, click: Double(-10 - $0)) }
        let after = (0..<4).map { episode($0, scroll: -1.5, click: Double(-7 + $0)) }
        let pooled = try XCTUnwrap(PooledReferenceComparison(beforeLabel: "a", afterLabel: "b", runs: [(before, after)]))
        let single = try XCTUnwrap(pooled.runs.first?.logProbability)
        XCTAssertEqual(pooled.logProbability?.difference, single.difference)
        XCTAssertEqual(pooled.logProbability?.lower, single.lower)
        XCTAssertEqual(pooled.logProbability?.upper, single.upper)
    }

    func testRunsWithoutTeacherForcingGiveNothing() {
        var plain = EvaluationReportPageTests.episode(1, passed: true)
        plain.steps = plain.steps.map { var s = $0; s.referenceAction = nil; return s }
        XCTAssertNil(PooledReferenceComparison(beforeLabel: "a", afterLabel: "b", runs: [([plain], [plain])]))
    }
}
