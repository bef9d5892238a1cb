import Foundation
import WebBrowser
import XCTest
@testable import Evaluation

final class PairedMeanDifferenceTests: XCTestCase {
    func testTQuantileMatchesTablesToFourDigits() {
        // Student's t, 97.5%: standard table values.
        let table: [(Int, Double)] = [(1, 12.7062), (2, 4.3027), (3, 3.1824), (5, 2.5706), (10, 2.2281),
                                      (26, 2.0555), (30, 2.0423), (100, 1.9840), (1000, 1.9623)]
        for (nu, t) in table {
            XCTAssertEqual(PairedMeanDifference.tQuantile975(degreesOfFreedom: nu), t, accuracy: 2e-3 * t, "ν = \(nu)")
        }
    }

    func testTheIntervalIsOverClusterMeansSoOneBigTaskCountsOnce() throws {
        // Task "x" has ten steps each +1, tasks "y" and "z" one step each at −1 and +0.5.
        var pairs: [(cluster: String, a: Double, b: Double)] = (0..<10).map { _ in ("x", -2, -1) }
        pairs += [("y", -1, -2), ("z", -3, -2.5)]
        let d = PairedMeanDifference(a: "base", b: "oracle", label: "log-probability", pairs: pairs)
        XCTAssertEqual(d.units, 12)
        XCTAssertEqual(d.clusters, 3)
        XCTAssertEqual(d.difference, (1 - 1 + 0.5) / 3, accuracy: 1e-12)
        // Sample standard deviation of {1, −1, 0.5} over √3, times t(2).
        let m = 0.5 / 3
        let sd = (([1.0, -1, 0.5].map { ($0 - m) * ($0 - m) }.reduce(0, +)) / 2).squareRoot()
        XCTAssertEqual(try XCTUnwrap(d.upper) - d.difference, 4.302652730 * sd / 3.0.squareRoot(), accuracy: 1e-9)
        XCTAssertEqual(d.clustersUp, 2)
        XCTAssertEqual(d.clustersDown, 1)
        XCTAssertEqual(d.meanB - d.meanA, (10.0 * 1 - 1 + 0.5) / 12, accuracy: 1e-12)
    }

    func testOneClusterHasNoInterval() {
        let d = PairedMeanDifference(a: "a", b: "b", label: "l", pairs: [("x", 0, 1), ("x", 0, 2)])
        XCTAssertEqual(d.difference, 1.5)
        XCTAssertNil(d.lower)
        XCTAssertNil(d.upper)
        XCTAssertTrue(d.text.contains("no interval from one task"), d.text)
        // The report is JSON: no infinities to encode.
        XCTAssertNoThrow(try JSONEncoder().encode(d))
    }

    func testReferenceLogProbabilityIsItsShareOfTheChoice() throws {
        let candidates: [BrowserAction] = [.click(id: 2), .click(id: 3), .scroll(.down), .stop(answer: "")]
        let scores = [log(0.1), log(0.2), log(0.3), log(0.4)].map { $0 - 40 }  // unnormalised, as whole answers are
        XCTAssertEqual(try XCTUnwrap(ReferenceAgreement.logProbability(of: .click(id: 3), among: candidates, scores: scores)),
                       log(0.2), accuracy: 1e-9)
        // Typing agrees whatever Enter does, so both spellings of one typing count.
        let typing: [BrowserAction] = [.type(id: 5, text: "Gage River", pressEnter: true), .type(id: 5, text: "gage  river", pressEnter: false), .goBack]
        XCTAssertEqual(try XCTUnwrap(ReferenceAgreement.logProbability(of: .type(id: 5, text: "Gage River", pressEnter: false),
                                                                          among: typing, scores: [log(0.25), log(0.25), log(0.5)])),
                       log(0.5), accuracy: 1e-9)
        // Given the verb: 0.2 of the clicks' 0.3.
        XCTAssertEqual(try XCTUnwrap(ReferenceAgreement.logProbability(of: .click(id: 3), among: candidates, scores: scores, withinVerb: true)),
                       log(0.2 / 0.3), accuracy: 1e-9)
        XCTAssertNil(ReferenceAgreement.logProbability(of: .click(id: 9), among: candidates, scores: scores))
        XCTAssertNil(ReferenceAgreement.logProbability(of: .click(id: 2), among: candidates, scores: nil))
        XCTAssertNil(ReferenceAgreement.logProbability(of: .click(id: 2), among: candidates, scores: [0, 0]))
    }
}
