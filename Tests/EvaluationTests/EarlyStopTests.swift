import XCTest
@testable import Evaluation
import WebBrowser

/// WebArena's early stop as the evaluation applies it: three unparseable or three identical actions
/// end an episode; scrolls only when they no longer move the page.
final class EarlyStopTests: XCTestCase {
    let rule = EarlyStop.webArena

    func taken(_ actions: [BrowserAction], unchanged: Bool = false) -> [EarlyStop.Taken] {
        actions.map { EarlyStop.Taken(action: $0, pageUnchanged: unchanged) }
    }

    func testThreeIdenticalActionsInARowEndTheEpisode() {
        XCTAssertNil(rule.reason(after: taken([.click(id: 28), .click(id: 28)])))
        let reason = rule.reason(after: taken([.click(id: 3), .click(id: 28), .click(id: 28), .click(id: 28)]))
        XCTAssertEqual(reason, "the same action 3 times in a row: click [28]")
        XCTAssertNil(rule.reason(after: taken([.click(id: 28), .click(id: 28), .click(id: 4), .click(id: 28)])),
                     "only consecutive repeats count")
    }

    func testTheSameTypingCountsAnywhereInTheEpisode() {
        let typing = BrowserAction.type(id: 5, text: "wok", pressEnter: true)
        XCTAssertNotNil(rule.reason(after: taken([typing, .click(id: 1), typing, .goBack, typing])))
        XCTAssertNil(rule.reason(after: taken([typing, .click(id: 1), .type(id: 5, text: "pan", pressEnter: true), typing])))
    }

    func testScrollsCountOnlyWhenThePageStoppedMoving() {
        let down = BrowserAction.scroll(.down)
        XCTAssertNil(rule.reason(after: taken(Array(repeating: down, count: 7))), "reaching an element takes scrolls")
        let atTheEnd = taken(Array(repeating: down, count: 4)) + taken(Array(repeating: down, count: 3), unchanged: true)
        XCTAssertEqual(rule.reason(after: atTheEnd), "scrolled 3 times without the page changing")
    }

    func testUnparseableActionsEndTheEpisodeAfterThree() {
        let bad = BrowserAction.invalid(raw: "hmm", reason: "no action")
        XCTAssertNil(rule.reason(after: taken([bad, bad])))
        XCTAssertEqual(rule.reason(after: taken([.click(id: 1), bad, bad, bad])), "no parseable action 3 times in a row")
    }

    func testNeverMeansEveryEpisodeRunsToItsLimit() {
        XCTAssertNil(EarlyStop.never.reason(after: taken(Array(repeating: .click(id: 1), count: 30))))
    }
}

/// Mind2Web-style step agreement on the WebArena grammar.
final class ReferenceAgreementTests: XCTestCase {
    func testSameOperationElementAndValueAgree() {
        XCTAssertTrue(ReferenceAgreement.agrees(.click(id: 4), .click(id: 4)))
        XCTAssertFalse(ReferenceAgreement.agrees(.click(id: 4), .click(id: 5)))
        XCTAssertFalse(ReferenceAgreement.agrees(.hover(id: 4), .click(id: 4)))
        XCTAssertTrue(ReferenceAgreement.agrees(.type(id: 3, text: "Wok ", pressEnter: true), .type(id: 3, text: "wok", pressEnter: false)),
                      "case, spacing and Enter aside")
        XCTAssertFalse(ReferenceAgreement.agrees(.type(id: 3, text: "pan", pressEnter: true), .type(id: 3, text: "wok", pressEnter: true)))
        XCTAssertTrue(ReferenceAgreement.agrees(.stop(answer: "$1,458.31"), .stop(answer: " $1,458.31")))
        XCTAssertFalse(ReferenceAgreement.agrees(.stop(answer: ""), .stop(answer: "7")))
        XCTAssertTrue(ReferenceAgreement.agrees(.scroll(.down), .scroll(.down)))
        XCTAssertFalse(ReferenceAgreement.agrees(.invalid(raw: "x", reason: "y"), .invalid(raw: "x", reason: "y")))
        XCTAssertTrue(ReferenceAgreement.isOffered(.click(id: 4), among: [.click(id: 2), .click(id: 4)]))
        XCTAssertFalse(ReferenceAgreement.isOffered(.stop(answer: "7"), among: [.stop(answer: ""), .click(id: 4)]))
    }
}
