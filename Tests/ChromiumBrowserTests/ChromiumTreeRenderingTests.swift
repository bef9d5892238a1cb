import XCTest
import WebBrowser
@testable import ChromiumBrowser

/// The shared `ObservationRenderer` over Chromium's page trees: the same rules as for the native
/// browser's trees, plus viewport filtering and Chromium-only roles.
final class ChromiumTreeRenderingTests: XCTestCase {
    func node(_ id: Int, _ role: String, _ name: String, props: [PageTreeNode.Property] = [],
              y: Double = 0, _ children: [PageTreeNode] = []) -> PageTreeNode {
        PageTreeNode(id: id, role: role, name: name, properties: props, children: children,
                     bounds: PageRect(x: 0, y: y, width: 10, height: 10))
    }

    func testWebArenaLineFormatPruningAndStaticTextDeduplication() {
        let tree = node(1, "RootWebArea", "Shop", props: [.init(name: "focused", value: true), .init(name: "url", value: "x")], [
            node(2, "generic", "", [
                node(3, "link", "Sign in", props: [.init(name: "focusable", value: true)], [node(4, "StaticText", "Sign in")]),
            ]),
            node(5, "textbox", "Search", props: [.init(name: "required", value: false), .init(name: "editable", value: "plaintext")]),
            node(6, "StaticText", "It's \"new\""),
            node(7, "listitem", "", props: [.init(name: "level", value: 1)], [node(8, "StaticText", "Item")]),
            node(9, "InlineTextBox", "Item"),
        ])
        let rendering = ObservationRenderer.render(root: tree)
        XCTAssertEqual(rendering.text(window: 0, size: 0), """
        [1] RootWebArea 'Shop' focused: True
        \t[3] link 'Sign in'
        \t[5] textbox 'Search' required: False
        \t[6] StaticText 'It\\'s "new"'
        \t[8] StaticText 'Item'
        """)
        XCTAssertEqual(rendering.description(of: 3), "link 'Sign in'")
        XCTAssertNil(rendering.description(of: 4), "StaticText repeating the line above is dropped")
    }

    func testViewportShowsOnlyNodesInTheVisibleRowsButKeepsTheirVisibleChildren() {
        let tree = node(1, "RootWebArea", "Long", y: 0, [
            node(2, "heading", "Top", y: 10),
            node(3, "region", "Section", y: 900, [node(4, "button", "Visible child", y: 1500)]),
            node(5, "button", "Far", y: 3000),
        ])
        let text = ObservationRenderer.render(root: tree) { node in
            node.bounds.map { $0.intersectsRows(from: 1400, to: 2100) } ?? false
        }.text(window: 0, size: 0)
        XCTAssertEqual(text, "[1] RootWebArea 'Long'\n\t[4] button 'Visible child'")
    }

    func testPythonReprAndTabHeader() {
        XCTAssertEqual(ObservationRenderer.pythonRepr("plain"), "'plain'")
        XCTAssertEqual(ObservationRenderer.pythonRepr("it's"), "\"it's\"")
        XCTAssertEqual(ObservationRenderer.pythonRepr("a'b\"c"), "'a\\'b\"c'")
        XCTAssertEqual(ObservationRenderer.pythonRepr("line\nbreak"), "'line\\nbreak'")
        XCTAssertEqual(ObservationRenderer.tabHeader(titles: ["A", "B"], active: 1), "Tab 0: A | Tab 1 (current): B")
    }

    func testAgreementComparesRolesAndNamesIgnoringIdsAndProperties() {
        let a = "Tab 0 (current): X\n\n[1] RootWebArea 'X'\n\t[2] link 'Home' focused: True\n\t[3] StaticText \"it's\""
        let b = "Tab 0 (current): X\n\n[10] RootWebArea 'X'\n\t\t[22] link 'Home'\n\t[5] button 'Go'"
        let agreement = ObservationAgreement(a, b)
        XCTAssertEqual(agreement.matched, 2)
        XCTAssertEqual(agreement.onlyInFirst, [.init(role: "StaticText", name: "it's")])
        XCTAssertEqual(agreement.onlyInSecond, [.init(role: "button", name: "Go")])
        XCTAssertEqual(agreement.rate, 2.0 / 3.0, accuracy: 1e-9)
        XCTAssertEqual(ObservationAgreement("", "").rate, 1)
    }

    func testKeyCombinations() throws {
        let enter = try XCTUnwrap(KeyStroke.parse("Enter"))
        XCTAssertEqual(enter.keyCode, 13)
        XCTAssertEqual(enter.text, "\r")
        let selectAll = try XCTUnwrap(KeyStroke.parse("Ctrl+a"))
        XCTAssertEqual(selectAll.modifiers, 2)
        XCTAssertEqual(selectAll.commands, ["selectAll"])
        XCTAssertNil(selectAll.text)
        XCTAssertEqual(KeyStroke.parse("Shift+Tab")?.modifiers, 8)
        XCTAssertEqual(KeyStroke.parse("Meta+v")?.commands, ["paste"])
        XCTAssertEqual(KeyStroke.parse("ControlOrMeta+z")?.commands, ["undo"])
        XCTAssertNil(KeyStroke.parse("Hyper+q"))
        XCTAssertNil(KeyStroke.parse("NotAKey"))
        XCTAssertEqual(KeyStroke.character("A").text, "A")
    }
}
