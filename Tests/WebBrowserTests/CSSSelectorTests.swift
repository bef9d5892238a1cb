import XCTest
@testable import WebBrowser

/// One test per Selectors Level 3/4 rule the cascade relies on, on small documents: which
/// elements a selector matches (by id), which selectors are invalid, and specificity.
final class CSSSelectorTests: XCTestCase {
    private let page = """
    <html><body>
    <div id=outer class="box  wide">
      <p id=p1 class=intro lang=en-US title="hello world">a</p>
      <p id=p2 data-x="abc">b</p>
      <section id=s1><p id=p3 class="intro last">c</p><span id=e1></span></section>
      <ul id=list><li id=l1>1</li><li id=l2>2</li><li id=l3 class=x>3</li><li id=l4>4</li><li id=l5 class=x>5</li></ul>
      <a id=link href="/x">x</a><a id=anchor name=n>y</a>
      <input id=box type=checkbox checked><input id=off disabled><input id=on required>
    </div>
    </body></html>
    """

    /// The ids of the elements `selector` matches, in document order; nil when it is invalid.
    private func ids(_ selector: String, in html: String? = nil) -> [String]? {
        let document = HTMLDocument.parse(html: html ?? page)
        guard let list = CSSSelectorList(selector) else { return nil }
        return withExtendedLifetime(document) { list.select(in: document.root).compactMap(\.id) }
    }

    private func specificity(_ selector: String) -> [Int] {
        guard let list = CSSSelectorList(selector), let s = list.selectors.first?.specificity else { return [] }
        return [s >> 16, s >> 8 & 255, s & 255]
    }

    /// §5.1–5.2 type and universal selectors; type selectors are case-insensitive in HTML.
    func testTypeAndUniversal() {
        XCTAssertEqual(ids("section"), ["s1"])
        XCTAssertEqual(ids("SECTION"), ["s1"])
        XCTAssertEqual(ids("section *"), ["p3", "e1"])
        XCTAssertEqual(ids("*|section"), ["s1"], "any namespace")
    }

    /// §6.6 class and §6.7 id selectors: tokens of `class`, exact `id`, case-sensitive.
    func testClassAndID() {
        XCTAssertEqual(ids(".intro"), ["p1", "p3"])
        XCTAssertEqual(ids(".intro.last"), ["p3"])
        XCTAssertEqual(ids(".box.wide"), ["outer"], "class tokens split on any whitespace")
        XCTAssertEqual(ids(".Intro"), [])
        XCTAssertEqual(ids("#p2"), ["p2"])
        XCTAssertEqual(ids("p#p2.intro"), [])
    }

    /// §6.1–6.3 attribute selectors, with the `i` flag (§6.3).
    func testAttributeSelectors() {
        XCTAssertEqual(ids("[data-x]"), ["p2"])
        XCTAssertEqual(ids("[data-x=abc]"), ["p2"])
        XCTAssertEqual(ids("[data-x='ab']"), [])
        XCTAssertEqual(ids("[title~=world]"), ["p1"])
        XCTAssertEqual(ids("[title~='hello world']"), [], "~= matches one token")
        XCTAssertEqual(ids("[lang|=en]"), ["p1"])
        XCTAssertEqual(ids("[data-x^=ab]"), ["p2"])
        XCTAssertEqual(ids("[data-x$=bc]"), ["p2"])
        XCTAssertEqual(ids("[data-x*=b]"), ["p2"])
        XCTAssertEqual(ids("[data-x^='']"), [], "an empty prefix matches nothing")
        XCTAssertEqual(ids("[data-x=ABC i]"), ["p2"])
        XCTAssertEqual(ids("[DATA-X=abc]"), ["p2"], "attribute names are case-insensitive in HTML")
    }

    /// §16 combinators: descendant, child, next-sibling, subsequent-sibling.
    func testCombinators() {
        XCTAssertEqual(ids("div p"), ["p1", "p2", "p3"])
        XCTAssertEqual(ids("div > p"), ["p1", "p2"])
        XCTAssertEqual(ids("div>p"), ["p1", "p2"])
        XCTAssertEqual(ids("#p1 + p"), ["p2"])
        XCTAssertEqual(ids("#p1 ~ *"), ["p2", "s1", "list", "link", "anchor", "box", "off", "on"])
        XCTAssertEqual(ids("#l2 ~ .x"), ["l3", "l5"])
        XCTAssertEqual(ids("section > p + span"), ["e1"])
        XCTAssertEqual(ids("body > div section p"), ["p3"], "backtracks past a non-matching ancestor")
    }

    /// §3.1 selector lists: one invalid member invalidates the list; `:is()` forgives.
    func testListsAndInvalidSelectors() {
        XCTAssertEqual(ids("#p1, #p2"), ["p1", "p2"])
        XCTAssertNil(ids("#p1, p:unknown-thing"))
        XCTAssertNil(ids("#p1, ::-moz-selection"), "Chromium rejects -moz- pseudo-elements")
        XCTAssertNil(ids("p >"))
        XCTAssertNil(ids("[data-x"))
        XCTAssertNil(ids(".5col"))
        XCTAssertNil(ids(""))
        XCTAssertNil(ids("p,,p"))
        XCTAssertEqual(ids(":is(#p1, :bogus)"), ["p1"])
    }

    /// §4.3 :not() and §4.2 :is()/:where() take selector lists; §4.5 :has() is valid but not
    /// decided here, so it matches nothing (nor does a :not() of it).
    func testLogicalPseudoClasses() {
        XCTAssertEqual(ids("p:not(.intro)"), ["p2"])
        XCTAssertEqual(ids("p:not(.intro, [data-x])"), [])
        XCTAssertEqual(ids("li:not(:first-child):not(:last-child)"), ["l2", "l3", "l4"])
        XCTAssertEqual(ids(":is(section, ul) > :is(p, li.x)"), ["p3", "l3", "l5"])
        XCTAssertEqual(ids(":where(#p1)"), ["p1"])
        XCTAssertEqual(ids("div:has(p)"), [])
        XCTAssertEqual(ids("p:not(:has(span))"), [])
    }

    /// §14 tree-structural pseudo-classes, with An+B (CSS Syntax 3 §6) and `of S`.
    func testStructuralPseudoClasses() {
        XCTAssertEqual(ids("li:first-child"), ["l1"])
        XCTAssertEqual(ids("li:last-child"), ["l5"])
        XCTAssertEqual(ids("li:nth-child(2n+1)"), ["l1", "l3", "l5"])
        XCTAssertEqual(ids("li:nth-child(odd)"), ["l1", "l3", "l5"])
        XCTAssertEqual(ids("li:nth-child(even)"), ["l2", "l4"])
        XCTAssertEqual(ids("li:nth-child(-n + 2)"), ["l1", "l2"])
        XCTAssertEqual(ids("li:nth-child(3)"), ["l3"])
        XCTAssertEqual(ids("li:nth-last-child(1)"), ["l5"])
        XCTAssertEqual(ids("li:nth-child(2 of .x)"), ["l5"])
        XCTAssertEqual(ids("section > :first-of-type"), ["p3", "e1"])
        XCTAssertEqual(ids("p:last-of-type"), ["p2", "p3"])
        XCTAssertEqual(ids("span:only-child"), [])
        XCTAssertEqual(ids("span:only-of-type"), ["e1"])
        XCTAssertEqual(ids("span:empty"), ["e1"])
        let document = HTMLDocument.parse(html: page)
        XCTAssertEqual(withExtendedLifetime(document) { CSSSelectorList(":root")?.select(in: document.root).map(\.tag) }, ["html"])
    }

    /// §9–11 state pseudo-classes: links, checked, disabled; user-action states never hold on a
    /// page nobody has touched.
    func testStatePseudoClasses() {
        XCTAssertEqual(ids("a:link"), ["link"])
        XCTAssertEqual(ids("a:any-link"), ["link"])
        XCTAssertEqual(ids(":checked"), ["box"])
        XCTAssertEqual(ids("input:disabled"), ["off"])
        XCTAssertEqual(ids("input:enabled"), ["box", "on"])
        XCTAssertEqual(ids("input:required"), ["on"])
        XCTAssertEqual(ids("a:hover"), [])
        XCTAssertEqual(ids("a:not(:hover)"), ["link", "anchor"])
        XCTAssertEqual(ids("a:visited"), [])
        XCTAssertEqual(ids("div:focus-within"), [])
    }

    /// §3.6 pseudo-elements: a selector with one styles the pseudo-element, never the element.
    func testPseudoElementsMatchNoElement() {
        XCTAssertEqual(ids("p::before"), [])
        XCTAssertEqual(ids("p:before"), [], "the CSS 2 single-colon form")
        XCTAssertEqual(ids("input::-webkit-input-placeholder"), [])
    }

    /// §4.3.7 of CSS Syntax: escapes in identifiers (Tailwind's `md\:hidden`, `\31 0`).
    func testEscapedIdentifiers() {
        let html = #"<div id=a class="md:hidden"></div><div id="10"></div><div id=c class="w-1/2"></div>"#
        XCTAssertEqual(ids(#".md\:hidden"#, in: html), ["a"])
        XCTAssertEqual(ids(#"#\31 0"#, in: html), ["10"])
        XCTAssertEqual(ids(#".w-1\/2"#, in: html), ["c"])
    }

    /// §17 specificity: (ids, classes/attributes/pseudo-classes, types/pseudo-elements);
    /// :is()/:not() count their most specific argument, :where() nothing.
    func testSpecificity() {
        let expected: [(String, [Int])] = [
            ("*", [0, 0, 0]), ("li", [0, 0, 1]), ("ul li", [0, 0, 2]), ("ul ol+li", [0, 0, 3]),
            ("h1 + *[rel=up]", [0, 1, 1]), ("ul ol li.red", [0, 1, 3]), ("li.red.level", [0, 2, 1]),
            ("#x34y", [1, 0, 0]), ("#s12:not(FOO)", [1, 0, 1]), (".foo :is(.bar, #baz)", [1, 1, 0]),
            (":where(#a, .b) p", [0, 0, 1]), ("li:nth-child(2 of .x)", [0, 2, 1]),
        ]
        for (selector, triple) in expected { XCTAssertEqual(specificity(selector), triple, selector) }
    }
}
