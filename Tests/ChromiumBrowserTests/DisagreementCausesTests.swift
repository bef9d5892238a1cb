import XCTest
@testable import ChromiumBrowser

final class DisagreementCausesTests: XCTestCase {
    func testDifferingLinesArePairedByNameThenByRoleThenLeftByScriptOrigin() {
        let native = """
            [1] RootWebArea 'Page'
            \t[2] link 'Home'
            \t[3] heading 'Welcome  home'
            \t[4] StaticText 'Only in the native tree'
            \t[5] button 'Menu'
            """
        let chromium = """
            [1] RootWebArea 'Page'
            \t[2] link 'Home'
            \t[3] heading 'Welcome home'
            \t[6] StaticText 'Cookie banner'
            \t[7] StaticText 'In the markup'
            \t[5] menuitem 'Menu'
            """
        let agreement = ObservationAgreement(native, chromium)
        var causes = DisagreementCauses()
        causes.add(agreement, markupText: "Page Home Welcome home In the markup Menu")
        XCTAssertEqual(causes.lines["role button (native) vs menuitem (chromium)"], 1)
        XCTAssertEqual(causes.lines["name of heading: whitespace"], 1)
        // One native-only line against two Chromium-only lines: the longer side is charged.
        XCTAssertEqual(causes.lines["only chromium, text not in the markup (script-written): StaticText"], 1)
        XCTAssertEqual(causes.lines["only chromium: StaticText"], 1)
        XCTAssertEqual(causes.lines["only native: StaticText"], 0)
        let charged = causes.lines.values.reduce(0, +)
        XCTAssertEqual(charged, agreement.onlyInFirst.count > agreement.onlyInSecond.count
                       ? agreement.onlyInFirst.count : agreement.onlyInSecond.count,
                       "causes add up to the lines the rate counts as differing")
    }

    /// A UTF-8 page Chromium decoded as windows-1252 pairs its lines with the native tree's.
    func testTextDecodedAsWindows1252IsACharsetDifference() {
        XCTAssertEqual(DisagreementCauses.asWindows1252(utf8: "It’s “new” – é"), "Itâ€™s â€œnewâ€\u{9D} â€“ Ã©")
        XCTAssertNil(DisagreementCauses.asWindows1252(utf8: "plain ASCII"))
        let agreement = ObservationAgreement("[1] RootWebArea 'P'\n\t[2] StaticText 'It’s here'\n\t[3] link 'Go'",
                                             "[1] RootWebArea 'P'\n\t[2] StaticText 'Itâ€™s here'\n\t[3] link 'Go'")
        var causes = DisagreementCauses()
        causes.add(agreement, markupText: "P It’s here Go")
        XCTAssertEqual(causes.lines, ["charset: UTF-8 read as windows-1252 by Chromium": 1])
    }

    func testNameRulesTellHowNamesDiffer() {
        XCTAssertEqual(DisagreementCauses.nameRule("Sign in", "SIGN IN"), "letter case (text-transform)")
        XCTAssertEqual(DisagreementCauses.nameRule("ab", "a b"), "spacing between elements")
        XCTAssertEqual(DisagreementCauses.nameRule("Read", "Read more"), "chromium's longer")
        XCTAssertEqual(DisagreementCauses.nameRule("", "Search"), "native unnamed")
        XCTAssertNil(DisagreementCauses.nameRule("Cart", "Checkout"))
    }
}
