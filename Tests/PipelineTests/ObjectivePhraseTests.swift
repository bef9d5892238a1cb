import XCTest
import WebBrowser
@testable import Pipeline

/// What a policy is offered to type: the names a search for its objective needs.
final class ObjectivePhraseTests: XCTestCase {
    func testNamesAndQuotesOfTheObjectiveAreOffered() {
        XCTAssertEqual(CandidateActions.objectivePhrases("What is the capital of Drelarea?"), ["Drelarea", "What capital Drelarea"])
        XCTAssertEqual(CandidateActions.objectivePhrases("Which countries does the Perand River flow through?").first, "Perand River")
        XCTAssertEqual(CandidateActions.objectivePhrases("Search for \"desk lamp\" and open the first result").first, "desk lamp")
        XCTAssertEqual(CandidateActions.objectivePhrases("How many forums are there on this site?"), ["there this site"])
        XCTAssertEqual(CandidateActions.objectivePhrases(""), [])
        // Names separated by a comma are two phrases, not one.
        XCTAssertEqual(Array(CandidateActions.objectivePhrases("Compare Boston, Seattle prices").prefix(2)), ["Boston", "Seattle"])
    }

    func testEveryPhraseIsOfferedForEachFieldOfThePolicysPage() {
        let observation = Observation(text: "[4] searchbox 'Search the encyclopedia'\n[7] link 'Home'", url: "http://wiki.nnetnav/",
                                      title: "Wiki", tabs: [.init(title: "Wiki", url: "http://wiki.nnetnav/")], activeTab: 0)
        let actions = CandidateActions.enumerate(observation: observation, typing: .objective("What is the capital of Drelarea?"),
                                                 step: 0, canGoBack: false, limit: 16)
        XCTAssertEqual(actions, [.type(id: 4, text: "Drelarea", pressEnter: true), .type(id: 4, text: "What capital Drelarea", pressEnter: true),
                                 .click(id: 7)])
    }
}
