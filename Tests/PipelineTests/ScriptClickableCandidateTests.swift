import XCTest
import WebBrowser
@testable import Pipeline

/// Elements a script made clickable are offered as clicks, named ones once per name, unnamed ones each.
final class ScriptClickableCandidateTests: XCTestCase {
    func testMarkedElementsAreOfferedAndUnmarkedTextIsNot() {
        let text = """
            Tab 0 (current): Inbox

            \t[3] StaticText 'Find the email by Darsey'
            \t[61] generic 'Darsey Arcu tempus.' clickable: True
            \t\t[69] img '' clickable: True
            \t[71] generic 'Darsey Arcu tempus.' clickable: True
            \t[72] generic 'Not marked'
            \t[80] generic '' clickable: True
            \t[90] button 'Send'
            """
        let observation = Observation(text: text, url: "miniwob://email-inbox?seed=1", title: "Inbox",
                                      tabs: [.init(title: "Inbox", url: "miniwob://email-inbox?seed=1")], activeTab: 0)
        let actions = CandidateActions.enumerate(observation: observation, typing: .objective("Reply to Darsey"),
                                                 step: 0, canGoBack: false, limit: 16)
        XCTAssertEqual(actions, [.click(id: 61), .click(id: 69), .click(id: 80), .click(id: 90)])
        XCTAssertTrue(ScriptClickable.isMarked("[61] generic 'x' clickable: True"))
        XCTAssertFalse(ScriptClickable.isMarked("[61] StaticText 'clickable: True is what it says'"))
    }

    func testNamesComeFromShortTextOnly() {
        XCTAssertEqual(ScriptClickable.name(fromText: "  Row \n one "), "Row one")
        XCTAssertEqual(ScriptClickable.name(fromText: String(repeating: "word ", count: 30)), "")
    }

    func testGoingBackIsOfferedOnlyAfterLeavingThePage() {
        XCTAssertFalse(CandidateActions.canGoBack(visited: [], current: "miniwob://a"))
        XCTAssertFalse(CandidateActions.canGoBack(visited: ["miniwob://a", "miniwob://a"], current: "miniwob://a"),
                       "steps a script handled in place left no page to go back to")
        XCTAssertTrue(CandidateActions.canGoBack(visited: ["http://shop/", "http://shop/"], current: "http://shop/cart"))
    }
}
