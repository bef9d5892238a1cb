import XCTest
@testable import LanguageModels

final class ChoiceMatcherTests: XCTestCase {
    func testExactAndLooseMatches() {
        XCTAssertEqual(ChoiceMatcher.match("yes", choices: ["yes", "no"]), "yes")
        XCTAssertEqual(ChoiceMatcher.match("  \"No.\"\n", choices: ["yes", "no"]), "no")
        XCTAssertEqual(ChoiceMatcher.match("**SUCCESS**", choices: ["success", "failure"]), "success")
    }

    func testPrefixPrefersTheLongestWholeWordChoice() {
        XCTAssertEqual(ChoiceMatcher.match("Partially complete: the form was not sent",
                                           choices: ["Partially", "Partially complete", "Complete"]), "Partially complete")
        // "no" must not match the start of "not".
        XCTAssertEqual(ChoiceMatcher.match("not sure, but yes", choices: ["no", "yes"]), "yes")
    }

    func testEarliestMentionWins() {
        XCTAssertEqual(ChoiceMatcher.match("The answer is 4, not 5.", choices: ["5", "4"]), "4")
    }

    func testNoMatchIsNil() {
        XCTAssertNil(ChoiceMatcher.match("Maybe", choices: ["yes", "no"]))
        XCTAssertNil(ChoiceMatcher.match("", choices: ["yes", "no"]))
        XCTAssertNil(ChoiceMatcher.match("nothing", choices: ["no"]))
    }
}
