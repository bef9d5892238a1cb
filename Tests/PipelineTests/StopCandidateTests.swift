import XCTest
import WebBrowser
@testable import Pipeline

/// The answers a choice decoder is offered: `stop []` first, then the window's short texts outside the
/// site's chrome, values split from their labels, without duplicates, capped.
final class StopCandidateTests: XCTestCase {
    static let page = """
    Tab 0 (current): Saucepan | One Stop Market

    [1] RootWebArea 'Saucepan | One Stop Market' focused: True
    \t[15] link 'One Stop Market'
    \t[17] navigation 'Account'
    \t\t[18] link 'Sign In'
    \t[27] search ''
    \t\t[33] button 'Search'
    \t[63] main ''
    \t\t[64] heading 'Hearthwell Compact Enamel Saucepan'
    \t\t[67] navigation 'Breadcrumb'
    \t\t\t[68] link 'Home'
    \t\t[76] StaticText 'Price: $166.99'
    \t\t[79] StaticText 'SKU: HK-1005'
    \t\t[80] StaticText 'SKU: HK-1005'
    \t\t[88] form 'Add to cart'
    \t\t\t[95] option 'Red' selected: True
    \t\t[119] StaticText 'The Hearthwell Compact Enamel Saucepan is a popular saucepan from Hearthwell, suitable for induction hobs.'
    \t\t[121] StaticText 'Ratio: 3 to 4: rounded'
    """

    func testStopsAreThePagesShortTextsOutsideItsChrome() {
        let observation = Observation(text: Self.page, url: "http://shop.nnetnav/product/5", title: "Saucepan",
                                      tabs: [.init(title: "Saucepan", url: "http://shop.nnetnav/product/5")], activeTab: 0)
        let answers = CandidateActions.stops(observation: observation, limit: 12).map(\.description)
        XCTAssertEqual(answers, ["stop []", "stop [One Stop Market]", "stop [Hearthwell Compact Enamel Saucepan]",
                                 "stop [$166.99]", "stop [HK-1005]", "stop [3 to 4: rounded]"])
        XCTAssertEqual(CandidateActions.stops(observation: observation, limit: 2).count, 3, "stop [] and two texts")
    }

    func testEveryGroundedAnswerIsAnOfferedStop() {
        let text = """
        Tab 0 (current): Beloved - Postmill

        [1] RootWebArea 'Beloved - Postmill' focused: True
        \t[32] main ''
        \t\t[33] heading 'Just finished Beloved'
        \t\t[39] StaticText 'Score: 10 points.'
        \t\t[40] StaticText "You're reviewing: Beloved"
        \t\t[41] StaticText 'Date of birth: 12 May 1990'
        """
        let observation = Observation(text: text, url: "http://forum.nnetnav/f/books/1", title: "Beloved",
                                      tabs: [.init(title: "Beloved", url: "http://forum.nnetnav/f/books/1")], activeTab: 0)
        let answers = CandidateActions.stops(observation: observation, limit: 12).map(\.description)
        XCTAssertEqual(answers, ["stop []", "stop [Just finished Beloved]", "stop [10 points]",
                                 "stop [You're reviewing: Beloved]", "stop [12 May 1990]"])
        // The facts a grounded label asks about are read by the same rule, so their answers are choices.
        let facts = PageFacts(observation: text).facts
        XCTAssertEqual(facts.map(\.value), ["10 points", "12 May 1990"])
        for fact in facts { XCTAssertTrue(answers.contains("stop [\(fact.value)]"), fact.value) }
    }

    func testAStopIsOfferedInTheShapeOfItsTrainingTarget() {
        XCTAssertEqual(PolicyAnswerFormat.choice(for: .stop(answer: "42")), PolicyAnswerFormat.finished(stopAction: "stop [42]"))
        XCTAssertEqual(PolicyAnswerFormat.choice(for: .click(id: 7)), PolicyAnswerFormat.answer(action: .click(id: 7)))
    }
}
