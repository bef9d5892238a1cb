import XCTest
@testable import WebBrowser

/// Hostile and broken style sheets: CSS Syntax 3's error recovery (§5: a malformed rule or
/// declaration is dropped, the rest kept; end of input closes what is open), and bounded
/// work however large or convoluted the sheet.
final class MalformedCSSTests: XCTestCase {
    private func texts(_ css: String, _ body: String) -> [String] {
        let html = "<html><head><style>\(css)</style></head><body>\(body)</body></html>"
        return AccessibilityTree.build(from: HTMLDocument.parse(html: html)).nodes.filter { $0.role == "StaticText" }.map(\.name)
    }

    /// §5.4.5: a bad declaration is skipped up to the next `;`; §5.4.3 a bad selector drops
    /// only its rule.
    func testRecoveryKeepsTheGoodRules() {
        XCTAssertEqual(texts(".h{color:;;display none; display:none}", "<p class=h>a</p>"), [])
        XCTAssertEqual(texts("p:nope{display:none} .h{display:none}", "<p class=h>a</p><p>b</p>"), ["b"])
        XCTAssertEqual(texts("}}} .h{display:none}", "<p class=h>a</p><p>b</p>"), ["b"])
        XCTAssertEqual(texts(".h{content:'}'; display:none}", "<p class=h>a</p><p>b</p>"), ["b"], "braces in strings")
        XCTAssertEqual(texts("/* .h{display:block} */ .h{display:none}", "<p class=h>a</p><p>b</p>"), ["b"])
        XCTAssertEqual(texts("<!-- .h{display:none} -->", "<p class=h>a</p><p>b</p>"), ["b"])
        XCTAssertEqual(texts(".h{display:var(--d)}", "<p class=h>a</p>"), ["a"], "unresolved variables decide nothing")
        // §5.4.8: a `[` block runs to its `]`, braces and all: a sheet wrapped in `<![CDATA[ … ]]>`
        // is a single prelude without a block, and has no rules (Chromium's CSSOM shows none).
        XCTAssertEqual(texts("<![CDATA[ .h{display:none} ]]>", "<p class=h>a</p>"), ["a"])
        XCTAssertEqual(texts("a[x='{'] , .h{display:none}", "<p class=h>a</p><p>b</p>"), ["b"])
    }

    /// §5.4: end of input closes open blocks, strings and comments.
    func testUnterminatedInputEndsCleanly() {
        XCTAssertEqual(texts(".h{display:none", "<p class=h>a</p><p>b</p>"), ["b"])
        XCTAssertEqual(texts("@media screen { .h{display:none", "<p class=h>a</p><p>b</p>"), ["b"])
        XCTAssertEqual(texts(".h{display:none} /* never closed", "<p class=h>a</p><p>b</p>"), ["b"])
        for css in ["{", "}", "@", "@media", "@media {", ":", "[", "(", "\\", "'", "\"", "a{b:'", ".h{display:\"",
                    ":not(", ":nth-child(", "a:is(", "[a=", "[a='x", "#", ".", "a >", "a,", "@layer", "@supports {{{{"] {
            _ = texts(css, "<p class=h>a</p>")
            XCTAssertNil(CSSSelectorList(css), css)
        }
    }

    /// Bounded work: a huge sheet, deep nesting of at-rules and selectors, and selectors built to
    /// make backtracking matchers exponential finish quickly on a deep page.
    func testHostileSheetsFinishQuickly() {
        let deep = String(repeating: "<div class=a>", count: 400) + "<p class='b k1'>x</p>" + String(repeating: "</div>", count: 400)
        // Every ancestor matches `.a`, none `div:nth-child(2)`: a backtracking matcher tries each
        // way to place 30 compounds on 400 ancestors before failing.
        let backtracking = (0..<200).map { k in "div:nth-child(2) " + String(repeating: ".a ", count: 30) + ".b.k\(k % 3){display:none}" }
            .joined(separator: "\n") + ".b{visibility:visible}"
        let many = (0..<30_000).map { ".r\($0){display:none}" }.joined()
        let nested = String(repeating: "@media screen{", count: 5_000) + ".b{display:none}"
        let pseudo = ".b" + String(repeating: ":not(", count: 100) + ".z" + String(repeating: ")", count: 100) + "{display:none}"
        let siblings = (0..<2_000).map { "<i class=s>\($0)</i>" }.joined()
        let siblingRule = String(repeating: ".s ~ ", count: 30) + ".s:nth-last-of-type(2n){display:none}"
        let start = Date()
        XCTAssertEqual(texts(backtracking, deep), ["x"])
        XCTAssertEqual(texts(many, "<p class=r1>a</p><p class=r29999>b</p>"), ["b"], "rules past the cap are dropped")
        _ = texts(nested, "<p class=b>a</p>")
        _ = texts(pseudo, "<p class=b>a</p>")
        _ = texts(siblingRule, siblings)
        XCTAssertLessThan(Date().timeIntervalSince(start), 30)
    }

    /// Arbitrary bytes as a sheet and as selectors never trap.
    func testRandomBytesNeverCrash() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("{}()[];:,.#>+~*=^$|!'\"\\/@ abcdnoept-_0123456789\n")
        for _ in 0..<300 {
            let text = String((0..<Int.random(in: 0..<80, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            _ = texts(text, "<p class=a id=b>x</p>")
            _ = CSSSelectorList(text)
            _ = MediaQuery.matches(text)
        }
    }
}
