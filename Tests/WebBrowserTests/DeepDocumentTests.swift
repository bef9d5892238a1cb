import XCTest
@testable import WebBrowser

/// Pathologically deep pages (issue 14 item 1): 200,000 nested elements used to overflow the stack
/// (exit 139) in the tree walks and in freeing the DOM. The parser now nests at most
/// `HTMLTreeBuilder.maximumDepth` elements, as Chromium's does, every whole-tree walk uses its
/// own stack, and the observation says when the cap applied.
final class DeepDocumentTests: XCTestCase {
    private static let levels = 200_000

    private func nested(_ open: String, _ close: String, around inner: String, levels: Int = levels) -> String {
        String(repeating: open, count: levels) + inner + String(repeating: close, count: levels)
    }

    private func depth(of document: HTMLDocument) -> Int {
        var deepest = 0
        var stack = [(document.root, 1)]
        while let (element, depth) = stack.popLast() {
            deepest = max(deepest, depth)
            for child in element.elementChildren { stack.append((child, depth + 1)) }
        }
        return deepest
    }

    func testTwoHundredThousandNestedDivsParseRenderAndFree() throws {
        let html = "<html><body>" + nested("<div>", "</div>", around: "deep text <a href=\"/x\">deep link</a>") + "</body></html>"
        var text = ""
        var note: String?
        do {
            let document = HTMLDocument.parse(html: html, url: "http://deep.test/")
            // html, body, then divs: Chromium keeps 512 open elements and attaches the rest at the 512th.
            XCTAssertLessThanOrEqual(depth(of: document), HTMLTreeBuilder.maximumDepth + 1)
            XCTAssertGreaterThan(document.flattenedNodes, Self.levels - 1000)
            // Nothing is lost: every element is still in the DOM, in document order.
            XCTAssertEqual(document.root.descendants().count, 2 + Self.levels + 1)
            XCTAssertTrue(document.root.textContent.contains("deep text deep link"))
            let tree = AccessibilityTree.build(from: document)
            text = ObservationRenderer.render(tree).text(window: 0, size: 0)
            note = document.depthNote
        }  // the document, tree and rendering are all freed here
        XCTAssertTrue(text.contains("StaticText 'deep text'"), String(text.suffix(300)))
        XCTAssertTrue(text.contains("link 'deep link'"), String(text.suffix(300)))
        let message = try XCTUnwrap(note)
        XCTAssertTrue(message.contains("more than 512 levels deep"), message)
    }

    func testNameFromContentThroughDeepNestingAndDeepTextContent() {
        let html = "<a href=\"/x\">" + nested("<span>", "</span>", around: "bottom", levels: 20_000) + "</a><p>after</p>"
        let document = HTMLDocument.parse(html: html, url: "http://deep.test/")
        let tree = AccessibilityTree.build(from: document)
        XCTAssertEqual(tree.find(role: "link", name: "bottom")?.name, "bottom")
        XCTAssertNotNil(tree.find(role: "StaticText", name: "after"))
    }

    func testShallowPagesAreNotFlattenedAndCarryNoNote() {
        let html = nested("<div>", "</div>", around: "<p>fine</p>", levels: HTMLTreeBuilder.maximumDepth - 3)
        let document = HTMLDocument.parse(html: html)
        XCTAssertEqual(document.flattenedNodes, 0)
        XCTAssertNil(document.depthNote)
        XCTAssertEqual(depth(of: document), HTMLTreeBuilder.maximumDepth)
    }

    /// Chromium's rule: past 512 open elements, a new node goes to the 512th, after what is there.
    func testElementsPastTheCapBecomeSiblingsInDocumentOrder() throws {
        let html = "<body>" + nested("<div>", "</div>", around: "<i>x</i>", levels: 520) + "</body>"
        let document = HTMLDocument.parse(html: html)
        var element = try XCTUnwrap(document.body)
        var level = 2  // html, body
        while level < HTMLTreeBuilder.maximumDepth, let next = element.elementChildren.first {
            element = next
            level += 1
        }
        // element is the 512th open element; the remaining divs and the <i> are its children.
        XCTAssertEqual(element.elementChildren.map(\.tag), Array(repeating: "div", count: 520 - 510) + ["i"])
        XCTAssertEqual(element.elementChildren.map(\.index), element.elementChildren.map(\.index).sorted())
        XCTAssertTrue(element.elementChildren.allSatisfy { $0.parent === element })
    }
}
