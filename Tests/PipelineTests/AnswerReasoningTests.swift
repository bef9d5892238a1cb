import Foundation
import WebBrowser
import XCTest
@testable import Pipeline

final class AnswerReasoningTests: XCTestCase {
    let page = """
    Tab 0 (current): Shop

    [1] RootWebArea 'Shop' focused: True
    \t[21] link 'Home  &  Kitchen'
    \t[31] searchbox 'Search entire store here' required: False
    \t[40] combobox 'Sort By' hasPopup: menu expanded: False
    \t[52] button ''
    """

    func testElementReasoningNamesTheElementActedOn() {
        let r = AnswerReasoning.element
        XCTAssertEqual(r.text(for: .click(id: 21), observation: page), "I will click the link 'Home & Kitchen'.")
        XCTAssertEqual(r.text(for: .type(id: 31, text: "wok", pressEnter: true), observation: page),
                       "I will type \"wok\" into the searchbox 'Search entire store here'.")
        XCTAssertEqual(r.text(for: .selectOption(id: 40, value: "Price"), observation: page), "I will select \"Price\" in the combobox 'Sort By'.")
        XCTAssertEqual(r.text(for: .click(id: 52), observation: page), "I will click the button [52].", "a nameless element by its id")
        // Nothing to name: no sentence.
        XCTAssertEqual(r.text(for: .scroll(.down), observation: page), "")
        XCTAssertEqual(r.text(for: .stop(answer: "x"), observation: page), "")
        XCTAssertEqual(r.text(for: .click(id: 999), observation: page), "", "an id the page does not show")
        XCTAssertEqual(AnswerReasoning.empty.text(for: .click(id: 21), observation: page), "")
    }

    func testChoicesAndTrainingTargetsShareTheShapeAndStayParseable() {
        let actions: [BrowserAction] = [.click(id: 21), .type(id: 31, text: "wok", pressEnter: true), .scroll(.down), .stop(answer: "")]
        let choices = PolicyAnswerFormat.choices(for: actions, reasoning: .element, observation: page)
        XCTAssertEqual(choices[0], "Let's think step-by-step. I will click the link 'Home & Kitchen'. In summary, the next action I will perform is ```click [21]```")
        XCTAssertEqual(choices[2], PolicyAnswerFormat.choice(for: .scroll(.down)))
        XCTAssertEqual(choices[3], PolicyAnswerFormat.finished(stopAction: "stop []"))
        for (choice, action) in zip(choices, actions) {
            XCTAssertTrue(PolicyAnswerFormat.conforms(choice), choice)
            XCTAssertEqual(CandidateActions.match(choice, in: actions), action, choice)
        }
        // The empty reasoning gives exactly the choices written before it existed.
        XCTAssertEqual(PolicyAnswerFormat.choices(for: actions, reasoning: .empty, observation: page), actions.map { PolicyAnswerFormat.choice(for: $0) })
    }
}
