import XCTest
@testable import WebBrowser

/// The DOM built from libxml2's parser events: the structure, numbering and text the earlier
/// libxml2-tree copy produced (checked against it on every bundled-site page when it was
/// replaced), and content after `</html>` kept in the body.
final class HTMLTreeBuilderTests: XCTestCase {
    private func outline(_ html: String) -> String {
        var out: [String] = []
        func walk(_ element: HTMLElement, _ depth: Int) {
            let attributes = element.attributes.map { " \($0.name)=\($0.value)" }.joined()
            out.append(String(repeating: " ", count: depth) + "\(element.index):\(element.tag)\(attributes)")
            for child in element.children {
                switch child {
                case .element(let e):
                    XCTAssertTrue(e.parent === element, "parent of \(e.tag)")
                    walk(e, depth + 1)
                case .text(let t): out.append(String(repeating: " ", count: depth + 1) + "\(t.index):\(t.text.debugDescription)")
                }
            }
        }
        let document = HTMLDocument.parse(html: html)  // parent links live as long as the document
        walk(document.root, 0)
        return out.joined(separator: "\n")
    }

    func testImpliedElementsWhitespaceAndDocumentOrderNumbering() {
        XCTAssertEqual(outline("<ul>\n <li>a</li></ul>"), """
        0:html
         1:body
          2:ul
           3:"\\n "
           4:li
            5:"a"
        """)
    }

    func testTextMergesAcrossEntitiesButNotAcrossComments() {
        XCTAssertEqual(outline("<p>Tom &amp; Jerry &lt;3<!-- x -->after</p>"), """
        0:html
         1:body
          2:p
           3:"Tom & Jerry <3"
           4:"after"
        """)
    }

    func testBooleanAttributesReadAsTheirNameAndOthersAsEmpty() {
        let input = HTMLDocument.parse(html: "<input disabled data-x value=a>").root.descendants().first { $0.tag == "input" }
        XCTAssertEqual(input?.attribute("disabled"), "disabled")
        XCTAssertEqual(input?.attribute("data-x"), "")
        XCTAssertEqual(input?.attribute("value"), "a")
    }

    func testContentAfterTheClosingHtmlTagStaysInTheBody() {
        XCTAssertEqual(outline("<html><body>a</body></html>b"), """
        0:html
         1:body
          2:"a"
          3:p
           4:"b"
        """)
    }

    func testScriptTextAndBodyContentLeftInHead() {
        let outline = outline("<title>T</title><script>if (a < b) {}</script><p>Body text")
        XCTAssertTrue(outline.contains("\"if (a < b) {}\""), outline)
        let document = HTMLDocument.parse(html: "<title>T</title><p>Body text")
        XCTAssertEqual(document.body?.elementChildren.first?.tag, "p")
        XCTAssertEqual(document.title, "T")
    }

    func testParentLinksAreCutWhenTheDocumentGoesAway() {
        var document: HTMLDocument? = HTMLDocument.parse(html: "<p>x</p>")
        let paragraph = document?.body?.elementChildren.first
        XCTAssertNotNil(paragraph?.parent)
        document = nil
        XCTAssertNil(paragraph?.parent, "no cycle keeps the tree alive once its document is gone")
    }

    func testParsesFromManyThreadsAtOnce() async {
        let page = "<title>T</title>" + String(repeating: "<div class=x><a href=/p>link &amp; text</a><!-- c --></div>", count: 200)
        let counts = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var total = 0
                    for _ in 0..<25 { total += HTMLDocument.parse(html: page).nodeCount }
                    return total
                }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        XCTAssertEqual(Set(counts).count, 1, "every thread built the same tree")
    }

    func testEmptyAndBrokenInput() {
        XCTAssertEqual(outline(""), "0:html")
        let broken = HTMLDocument.parse(html: "<div><p>unclosed<div>more</span></div>")
        XCTAssertEqual(broken.root.descendants().filter { $0.tag == "div" }.count, 2)
    }
}

/// The string fast paths of link resolution give exactly what Foundation's `URL` gives.
final class URLResolutionTests: XCTestCase {
    func testFastPathsAgreeWithFoundation() {
        let bases = [
            "http://127.0.0.1:8080/", "http://127.0.0.1:8080/shop/category/lamps?page=2#top", "https://example.com",
            "http://example.com/a/b.html", "file:///tmp/site/index.html", "about:blank", "http://h/x?y=/z",
            "http://h/with space/p", "http://user@h:1/p/%20q/",
        ]
        let references = [
            "/", "/product-1.html", "/a/b?c=d#e", "product-2.html", "sub/dir/", "?q=lamp", "#reviews", "", " /padded ",
            "../up.html", "./same.html", "/a/./b", "/a/../b", "//other.host/x", "http://other.host/x", "https://h",
            "HTTP://H/X", "mailto:a@b.c", "javascript:void(0)", "a:b", "with space.html", "%41.html", "é.html",
            "p?x=../y", "#", "?", "a#b?c", "..", ".", "a/..", "a/...", "a/.b", "a/b.", "/x/..?q", "/x/.#f", "..x/y",
        ]
        for base in bases {
            let resolver = URLResolution.Resolver(base: base)
            for reference in references {
                XCTAssertEqual(resolver.resolve(reference), URLResolution.Resolver.foundationResolve(reference, against: base),
                               "\(reference) against \(base)")
            }
        }
    }
}
