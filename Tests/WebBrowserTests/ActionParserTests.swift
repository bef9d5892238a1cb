import XCTest
@testable import WebBrowser

final class ActionParserTests: XCTestCase {
    func testParsesEveryVerb() {
        let cases: [(String, BrowserAction)] = [
            ("click [12]", .click(id: 12)),
            ("type [3] [hello world] [0]", .type(id: 3, text: "hello world", pressEnter: false)),
            ("type [3] [hello]", .type(id: 3, text: "hello", pressEnter: true)),
            ("hover [7]", .hover(id: 7)),
            ("press [Enter]", .press(keys: "Enter")),
            ("scroll [down]", .scroll(.down)),
            ("scroll [direction=up]", .scroll(.up)),
            ("select_option [5] [Blue]", .selectOption(id: 5, value: "Blue")),
            ("new_tab", .newTab),
            ("tab_focus [1]", .tabFocus(index: 1)),
            ("close_tab", .closeTab),
            ("goto [http://localhost:8080/a?b=1]", .goto(url: "http://localhost:8080/a?b=1")),
            ("go_back", .goBack),
            ("go_forward", .goForward),
            ("stop [$279.49]", .stop(answer: "$279.49")),
            ("stop", .stop(answer: "")),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(ActionParser.parse(action: text), expected, text)
            XCTAssertEqual(ActionParser.parse(action: expected.description), expected, "round trip of \(text)")
        }
    }

    func testExtractsFencedActionFromResponse() {
        let response = "Let's think step-by-step. The search box is [164]. In summary, the next action I will perform is ```type [164] [restaurants near CMU] [1]```"
        XCTAssertEqual(ActionParser.parse(response: response), .type(id: 164, text: "restaurants near CMU", pressEnter: true))
    }

    func testTypedTextMayContainBrackets() {
        XCTAssertEqual(ActionParser.parse(action: "type [4] [a [b] c] [0]"), .type(id: 4, text: "a [b] c", pressEnter: false))
    }

    func testGarbageBecomesInvalidWithReason() {
        guard case .invalid(_, let reason) = ActionParser.parse(response: "I think I should look around.") else {
            return XCTFail("expected invalid")
        }
        XCTAssertTrue(reason.contains("```"))
        guard case .invalid(_, let reason2) = ActionParser.parse(action: "click [abc]") else { return XCTFail() }
        XCTAssertTrue(reason2.contains("numeric"))
        guard case .invalid = ActionParser.parse(action: "fly [1]") else { return XCTFail() }
    }
}
