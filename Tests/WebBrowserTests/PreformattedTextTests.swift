import XCTest
@testable import WebBrowser

/// Text whose white space layout keeps (HTML's `pre`, `listing`, `xmp`, `plaintext` rendering rules;
/// CSS Text 3/4 `white-space` and `white-space-collapse`), named as Chromium names it: inner line
/// breaks and indentation kept, white space at either end trimmed; names computed from content
/// (a cell, a link) stay collapsed.
final class PreformattedTextTests: XCTestCase {
    private func texts(_ body: String, css: String = "") -> [String] {
        let html = "<html><head><style>\(css)</style></head><body>\(body)</body></html>"
        return AccessibilityTree.build(from: HTMLDocument.parse(html: html)).nodes.filter { $0.role == "StaticText" }.map(\.name)
    }

    func testPreKeepsInnerLineBreaksAndIndentationAndTrimsTheEnds() {
        // HTML drops the newline right after <pre>; the rest of the leading white space is trimmed from the name.
        XCTAssertEqual(texts("<pre>\nwhile True:\n  w = next()\n  work(w)\n</pre>"), ["while True:\n  w = next()\n  work(w)"])
        // Highlighted code: each text node is one StaticText, its leading newline and indent trimmed.
        XCTAssertEqual(texts("<pre>a = 1;\n  <span>b</span>.c(\n    d);</pre>"), ["a = 1;", "b", ".c(\n    d);"])
        XCTAssertEqual(texts("<pre>\n   \n</pre><p>x</p>"), ["x"])
        XCTAssertEqual(texts("<listing>a\n b</listing><xmp>c\n  d</xmp>"), ["a\n b", "c\n  d"])
    }

    func testWhiteSpaceFromStyleIsInheritedAndOverridesTheTag() {
        XCTAssertEqual(texts("<div style='white-space: pre'>a\n  b</div>"), ["a\n  b"])
        XCTAssertEqual(texts("<div class=code><span>a\n  b</span></div>", css: ".code { white-space: pre-wrap }"), ["a\n  b"])
        XCTAssertEqual(texts("<pre style='white-space: normal'>a\n  b</pre>"), ["a b"])
        XCTAssertEqual(texts("<pre><span style='white-space-collapse: collapse'>a\n  b</span></pre>"), ["a b"])
        XCTAssertEqual(texts("<div style='white-space: nowrap'>a\n  b</div>"), ["a b"])
    }

    /// `pre-line` keeps line breaks but collapses runs of spaces, which vanish next to a break.
    func testPreLineKeepsBreaksAndCollapsesSpaces() {
        XCTAssertEqual(texts("<p style='white-space: pre-line'>  one   two  \n   three </p>"), ["one two\nthree"])
    }

    func testNamesFromContentStayCollapsed() {
        let html = "<html><body><table border=1><tr><td><pre>a\n  b</pre></td><td>c</td></tr></table><pre><a href=/x>go\n  there</a></pre></body></html>"
        let tree = AccessibilityTree.build(from: HTMLDocument.parse(html: html))
        XCTAssertEqual(tree.nodes.first { $0.role == "cell" }?.name, "a b")
        XCTAssertEqual(tree.nodes.first { $0.role == "link" }?.name, "go there")
        XCTAssertEqual(tree.nodes.filter { $0.role == "StaticText" }.map(\.name), ["a\n  b", "c", "go\n  there"])
    }
}
