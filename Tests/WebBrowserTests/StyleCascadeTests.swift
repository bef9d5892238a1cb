import XCTest
@testable import WebBrowser

/// The page's `<style>` sheets deciding what the accessibility tree shows, one test per rule of
/// CSS Cascade 4 (§6 cascade sorting), CSS Display 3 (`display: none`, `visibility`) and HTML
/// (the `hidden` attribute's user-agent rule), checked against Chromium's behaviour.
final class StyleCascadeTests: XCTestCase {
    /// The page's static texts, in order.
    private func texts(_ css: String, _ body: String, head: String = "") -> [String] {
        let html = "<html><head><style>\(css)</style>\(head)</head><body>\(body)</body></html>"
        let tree = AccessibilityTree.build(from: HTMLDocument.parse(html: html))
        return tree.nodes.filter { $0.role == "StaticText" }.map(\.name)
    }

    /// CSS Display 3 §2.7: `display: none` removes the element and its subtree; a descendant
    /// cannot bring itself back.
    func testDisplayNoneFromASheetHidesTheSubtree() {
        XCTAssertEqual(texts(".ad { display: none }", "<p>a</p><div class=ad>b<p style='display:block'>c</p></div>"), ["a"])
        XCTAssertEqual(texts("#menu{display:none}", "<nav id=menu><a href=/>x</a></nav><p>y</p>"), ["y"])
    }

    /// CSS Display 3 §4: `visibility: hidden` is inherited, so a descendant with
    /// `visibility: visible` is shown again; `collapse` hides as `hidden` does outside tables.
    func testVisibilityIsInheritedAndOverridable() {
        XCTAssertEqual(texts(".v{visibility:hidden} .v em{visibility:visible}", "<div class=v>a<em>b</em></div><p>c</p>"), ["b", "c"])
        XCTAssertEqual(texts(".v{visibility:collapse}", "<div class=v>a</div>"), [])
    }

    /// `display: contents` and other display types leave the content in the tree; so do the
    /// screen-reader-only patterns (clipping, zero size), which hide nothing from accessibility.
    func testOtherDisplaysAndScreenReaderOnlyStayShown() {
        let css = ".c{display:contents} .sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0,0,0,0)} .f{display:flex}"
        XCTAssertEqual(texts(css, "<div class=c>a</div><span class=sr-only>b</span><div class=f>c</div>"), ["a", "b", "c"])
    }

    /// Cascade 4 §6.4.3 specificity, then §6.4.4 order of appearance.
    func testSpecificityThenOrderDecides() {
        XCTAssertEqual(texts("#x{display:block} .h{display:none}", "<p id=x class=h>a</p>"), ["a"], "an id beats a class")
        XCTAssertEqual(texts(".h{display:none} p{display:block}", "<p class=h>a</p>"), [], "a class beats a type")
        XCTAssertEqual(texts(".h{display:none} .s{display:block}", "<p class='h s'>a</p>"), ["a"], "the later rule wins a tie")
        XCTAssertEqual(texts(".s{display:block} .h{display:none}", "<p class='h s'>a</p>"), [])
        XCTAssertEqual(texts(".h{display:none;display:block}", "<p class=h>a</p>"), ["a"], "the later declaration in a block wins")
    }

    /// Cascade 4 §6.4.1–6.4.2: important author declarations beat normal ones of any
    /// specificity; the `style` attribute beats any selector, except an important sheet
    /// declaration over a normal inline one.
    func testImportanceAndTheStyleAttribute() {
        XCTAssertEqual(texts(".h{display:none !important} #x{display:block}", "<p id=x class=h>a</p>"), [])
        XCTAssertEqual(texts("#x.h{display:none}", "<p id=x class=h style='display:block'>a</p>"), ["a"])
        XCTAssertEqual(texts(".h{display:none!important}", "<p class=h style='display:block'>a</p>"), [])
        XCTAssertEqual(texts(".h{display:block!important}", "<p class=h style='display:none !important'>a</p>"), [])
        XCTAssertEqual(texts(".h{visibility:visible}", "<p class=h style='visibility:hidden'>a</p>"), [])
    }

    /// Cascade 5 §6.4: unlayered normal rules beat layered ones whatever the specificity.
    func testLayers() {
        XCTAssertEqual(texts("@layer base { #x{display:none} } p{display:block}", "<p id=x>a</p>"), ["a"])
        XCTAssertEqual(texts("@layer base { .h{display:none} }", "<p class=h>a</p>"), [])
    }

    /// HTML §15.3.1: `[hidden]` is a user-agent `display: none`, so an author `display` shows the
    /// element again (Chromium does); `display:none` from the author hides it either way.
    func testTheHiddenAttributeYieldsToAuthorDisplay() {
        XCTAssertEqual(texts("", "<p hidden>a</p>"), [])
        XCTAssertEqual(texts(".s{display:block}", "<p hidden class=s>a</p>"), ["a"])
        XCTAssertEqual(texts("", "<p hidden style='display:flex'>a</p>"), ["a"])
        XCTAssertEqual(texts(".s{display:revert}", "<p hidden class=s>a</p>"), [], "revert goes back to the UA rule")
    }

    /// Media Queries 4 for a 1280×720 screen: `@media` blocks apply when their query matches;
    /// the `media` attribute of `<style>` gates the whole sheet.
    func testMediaQueries() {
        XCTAssertEqual(texts("@media print { .h{display:none} }", "<p class=h>a</p>"), ["a"])
        XCTAssertEqual(texts("@media screen { .h{display:none} }", "<p class=h>a</p>"), [])
        XCTAssertEqual(texts("@media (max-width: 600px) { .m{display:none} } @media (min-width: 1024px) { .d{display:none} }",
                             "<p class=m>a</p><p class=d>b</p>"), ["a"])
        XCTAssertEqual(texts("@media only screen and (min-width:40em) and (max-width:1400px){.h{display:none}}", "<p class=h>a</p>"), [])
        XCTAssertEqual(texts("@media (width >= 1300px) { .h{display:none} }", "<p class=h>a</p>"), ["a"])
        XCTAssertEqual(texts("@media not print { .h{display:none} }", "<p class=h>a</p>"), [])
        XCTAssertEqual(texts("@media (prefers-color-scheme: dark) { .h{display:none} }", "<p class=h>a</p>"), ["a"])
        let html = "<html><head><style media=print>.h{display:none}</style></head><body><p class=h>a</p></body></html>"
        XCTAssertEqual(AccessibilityTree.build(from: HTMLDocument.parse(html: html)).nodes.filter { $0.role == "StaticText" }.map(\.name), ["a"])
    }

    /// At-rules that hold no style rules for elements are skipped whole; `@supports` is taken
    /// as supported (except a `not` query).
    func testOtherAtRulesAreSkipped() {
        let css = """
        @import url(x.css); @charset "utf-8"; @font-face { font-family: x; src: url(a) }
        @keyframes spin { from { display: none } to { display: block } }
        @supports (display: grid) { .g{display:none} }
        @supports not (display: grid) { .n{display:none} }
        .after{display:none}
        """
        XCTAssertEqual(texts(css, "<p class=g>a</p><p class=n>b</p><p class=after>c</p><p>d</p>"), ["b", "d"])
    }

    /// Sheets that are not in effect: inside `<template>` or `<noscript>` (inert with scripting
    /// on), or with a `type` other than CSS.
    func testInertSheetsAreIgnored() {
        let body = "<template><style>.h{display:none}</style></template><noscript><style>.h{display:none}</style></noscript>"
            + "<style type=text/less>.h{display:none}</style><p class=h>a</p>"
        XCTAssertEqual(texts("", body), ["a"])
    }

    /// A `<style>` in the body applies to the whole document, before and after it.
    func testStyleInBodyAppliesEverywhere() {
        XCTAssertEqual(texts("", "<p class=h>a</p><style>.h{display:none}</style><p class=h>b</p><p>c</p>"), ["c"])
    }

    /// Hidden-by-CSS content is hidden from names computed from content too (AccName §4.3.2 2A).
    func testNamesSkipContentHiddenBySheets() throws {
        let html = "<html><head><style>.icon-text{display:none}</style></head><body><a id=x href=/>Go<span class=icon-text> (menu)</span></a></body></html>"
        let tree = AccessibilityTree.build(from: HTMLDocument.parse(html: html))
        let element = try XCTUnwrap(tree.document.element(withID: "x"))
        XCTAssertEqual(tree.node(for: element)?.name, "Go")
    }
    /// CSS Text 3 §2.1 `text-transform` is inherited and changes the rendered letters; Chromium
    /// names text from its layout, so the StaticText and a link named from it read transformed
    /// (each case checked against Chromium 156 on a probe page: `<nav style=text-transform:uppercase><a>News</a>`
    /// is `link 'NEWS'`, a `<button>` inside keeps its case). `none` undoes an ancestor's transform; `capitalize` leaves the rest of a
    /// word as written.
    func testTextTransformChangesTheNamesOfTextAndOfContent() throws {
        XCTAssertEqual(texts(".u{text-transform:uppercase} .n{text-transform:none}",
                             "<p class=u>Top <em>stories</em> <span class=n>kept</span></p><p>plain</p>"),
                       ["TOP", "STORIES", "kept", "plain"])
        XCTAssertEqual(texts("h2{text-transform:lowercase}", "<h2>Breaking NEWS</h2>"), ["breaking news"])
        XCTAssertEqual(texts(".c{text-transform:capitalize}", "<p class=c>don't stop the 3rd-rate iPhone, o'neil x.y</p>"),
                       ["Don't Stop The 3rd-Rate IPhone, O'neil X.Y"])
        XCTAssertEqual(texts(".c{text-transform:capitalize}", "<p class=c>hello<b>world</b> foo</p><p class=c>bar</p>"),
                       ["Hello", "world", "Foo", "Bar"], "a text that continues a word does not start one; a block does")
        XCTAssertEqual(texts("", "<p style='text-transform:uppercase'>straße</p>"), ["STRASSE"])
        XCTAssertEqual(texts("", "<p style='text-transform: uppercase'>inline</p>"), ["INLINE"])
        XCTAssertEqual(texts(".u{text-transform:uppercase}", "<p class=u><span style='text-transform:inherit'>x</span></p>"), ["X"])

        let html = "<html><head><style>nav{text-transform:uppercase}</style></head><body><nav>"
            + "<a id=x href=/>News <b>today</b></a><button id=b>Go now</button></nav></body></html>"
        let tree = AccessibilityTree.build(from: HTMLDocument.parse(html: html))
        let link = try XCTUnwrap(tree.document.element(withID: "x"))
        XCTAssertEqual(tree.node(for: link)?.name, "NEWS TODAY")
        let button = try XCTUnwrap(tree.document.element(withID: "b"))
        XCTAssertEqual(tree.node(for: button)?.name, "Go now", "html.css gives form controls text-transform: none")
    }
    /// CSS Lists 3 markers as Chromium 156 shows them (each case on a probe page): a list item box
    /// in a list whose role is not list (changed, or presentational) shows its marker as a StaticText, disc "•", nested "◦", square "■", an ordered list "1." counting from
    /// `start` and reset by `value`; `list-style: none` from a sheet, a display other than
    /// list-item, and real list items (whose marker is a ListMarker the observation leaves out) show none.
    func testListMarkersOfItemsThatAreNotListItems() {
        XCTAssertEqual(texts("", "<ul role=navigation><li>a</li></ul>"), ["•", "a"])
        XCTAssertEqual(texts("", "<ol role=navigation><li>a</li><li>b</li></ol>"), ["1.", "a", "2.", "b"])
        XCTAssertEqual(texts("", "<ol role=navigation start=3><li>a</li><li value=10>b</li><li>c</li></ol>"),
                       ["3.", "a", "10.", "b", "11.", "c"])
        XCTAssertEqual(texts("", "<ol role=navigation reversed><li>a</li><li>b</li></ol>"), ["2.", "a", "1.", "b"])
        XCTAssertEqual(texts("", "<ol role=navigation type=a><li>a</li><li>b</li></ol>"), ["a.", "a", "b.", "b"])
        XCTAssertEqual(texts("", "<ol role=navigation type=I start=27><li>a</li></ol>"), ["XXVII.", "a"])
        XCTAssertEqual(texts("", "<ol role=navigation type=A start=27><li>a</li></ol>"), ["AA.", "a"])
        XCTAssertEqual(texts("", "<ul role=navigation style='list-style-type:lower-greek'><li>g</li></ul>"), ["α.", "g"])
        XCTAssertEqual(texts("", "<ul><li><ul role=navigation><li>n</li></ul></li></ul>"), ["◦", "n"])
        XCTAssertEqual(texts("", "<ul role=presentation><li>p</li></ul>"), ["•", "p"])
        XCTAssertEqual(texts("", "<ul role=navigation style='list-style-type:square'><li>s</li></ul>"), ["■", "s"])
        XCTAssertEqual(texts(".nl li{list-style:none}", "<ul role=navigation class=nl><li>x</li></ul>"), ["x"])
        XCTAssertEqual(texts("ul{list-style:none outside}", "<ul role=navigation><li>x</li></ul>"), ["x"])
        XCTAssertEqual(texts("", "<ul role=navigation><li style='display:inline'>i</li></ul>"), ["i"])
        XCTAssertEqual(texts("", "<ul><li>real</li></ul><ol><li>one</li></ol>"), ["real", "one"])
        XCTAssertEqual(texts("", "<ul><div><li>through</li></div></ul>"), ["through"], "plain containers are looked through")
        XCTAssertEqual(texts("", "<ul><li role=presentation>p</li></ul>"), ["p"], "a real list keeps its markers out of the text")
        XCTAssertEqual(texts("", "<ul role=menubar aria-label=m><li role=presentation><a href=/>h</a></li></ul>"), ["•", "h"])
        XCTAssertEqual(texts("", "<div><li>orphan</li></div>"), ["orphan"], "no list, no marker")
        XCTAssertEqual(texts("", "<ul role=navigation><li style='visibility:hidden'>h</li></ul>"), [])
    }
}
