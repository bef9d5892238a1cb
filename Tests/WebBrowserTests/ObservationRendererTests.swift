import XCTest
@testable import WebBrowser

final class ObservationRendererTests: XCTestCase {
    func render(_ body: String) -> String {
        let doc = HTMLDocument.parse(html: "<html><head><title>Shop</title></head><body>\(body)</body></html>")
        return ObservationRenderer.render(AccessibilityTree.build(from: doc)).text(window: 0, size: 0)
    }

    func testWebArenaLineFormatPruningAndDedup() {
        let text = render("""
        <div><div><nav><ul><li><a href=/a>My Account</a></li></ul></nav></div></div>
        <p>Price: <strong>$5</strong></p><button disabled>Buy</button>
        """)
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "[1] RootWebArea 'Shop' focused: True")
        // Nameless generic/list/listitem/navigation/paragraph nodes are skipped without extra indentation.
        XCTAssertTrue(lines[1].hasPrefix("\t[") && lines[1].hasSuffix("] link 'My Account'"), lines[1])
        // The link's own text repeats its name and is dropped; other text stays.
        XCTAssertFalse(lines.contains { $0.contains("StaticText 'My Account'") })
        XCTAssertTrue(lines.contains { $0.hasSuffix("StaticText 'Price:'") })
        XCTAssertTrue(lines.contains { $0.hasSuffix("button 'Buy' disabled: True") })
    }

    func testPythonReprQuoting() {
        XCTAssertEqual(ObservationRenderer.pythonRepr("plain"), "'plain'")
        XCTAssertEqual(ObservationRenderer.pythonRepr("it's"), "\"it's\"")
        XCTAssertEqual(ObservationRenderer.pythonRepr("both ' and \""), "'both \\' and \"'")
        XCTAssertEqual(ObservationRenderer.pythonRepr("a\\b\nc"), "'a\\\\b\\nc'")
    }

    func testWhitespaceCollapsingAndSubstringSearchOnBytes() {
        XCTAssertEqual("  a \n\t b  ".collapsingWhitespace(), "a b")
        XCTAssertEqual("already clean".collapsingWhitespace(), "already clean")
        XCTAssertEqual("trailing ".collapsingWhitespace(), "trailing")
        XCTAssertEqual("\u{0C}".collapsingWhitespace(), "")
        XCTAssertEqual("".collapsingWhitespace(), "")
        XCTAssertEqual("café\u{00A0}crème  x".collapsingWhitespace(), "café\u{00A0}crème x", "NBSP is not HTML whitespace")
        XCTAssertTrue(ObservationRenderer.contains("[3] link 'Sign in'", "Sign in"))
        XCTAssertTrue(ObservationRenderer.contains("ééé", "é"))
        XCTAssertFalse(ObservationRenderer.contains("Sign", "Sign in"))
        XCTAssertFalse(ObservationRenderer.contains("abcabd", "abd!"))
        XCTAssertTrue(ObservationRenderer.contains("abcabd", "abd"))
    }

    func testTabHeader() {
        XCTAssertEqual(ObservationRenderer.tabHeader(titles: ["A", "B"], active: 1), "Tab 0: A | Tab 1 (current): B")
    }

    func testDescribeUsesTheLineWithoutItsID() {
        let doc = HTMLDocument.parse(html: "<title>x</title><input aria-label=Search required>")
        let rendered = ObservationRenderer.render(AccessibilityTree.build(from: doc))
        let id = rendered.lines[1].id
        XCTAssertEqual(rendered.description(of: id), "textbox 'Search' required: True")
        XCTAssertNil(rendered.description(of: 12345))
    }
}
