import XCTest
@testable import WebBrowser

/// Chromium's decision between a data table (`table`, `row`, `cell`) and a layout table
/// (`LayoutTable`, `LayoutTableRow`, `LayoutTableCell`), one rule per test, each written from the
/// heuristic's description (Blink's `IsDataTable`) and checked against Chromium 156 on the same
/// markup with `nnetnav-bench agreement --save-observations`.
final class DataTableHeuristicTests: XCTestCase {
    private func role(_ body: String, _ id: String = "x") throws -> String {
        let document = HTMLDocument.parse(html: "<html><head></head><body>\(body)</body></html>")
        let element = try XCTUnwrap(document.element(withID: id), "no #\(id)")
        return withExtendedLifetime(document) { AccessibilityTree.computedRole(of: element, in: document) }
    }

    private let grid = "<tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr>"

    func testPlainGridIsALayoutTableWithLayoutRowsAndCells() throws {
        let table = "<table id=x><tr id=r><td id=c>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>"
        XCTAssertEqual(try role(table), "LayoutTable")
        XCTAssertEqual(try role(table, "r"), "LayoutTableRow")
        XCTAssertEqual(try role(table, "c"), "LayoutTableCell")
        let tree = AccessibilityTree.build(from: HTMLDocument.parse(html: table))
        let cell = try XCTUnwrap(tree.node(for: try XCTUnwrap(tree.document.element(withID: "c"))))
        XCTAssertEqual(cell.name, "a", "a layout cell is still named from its content")
        XCTAssertEqual(tree.node(for: try XCTUnwrap(tree.document.element(withID: "r")))?.name, "", "a layout row is unnamed")
    }

    /// Markup that declares a data table: a role, a caption, summary, thead or tfoot, rules,
    /// col/colgroup, any th, a cell with headers/abbr/axis/scope, or an editing host.
    func testMarkupEvidenceMakesADataTable() throws {
        let evidence = [
            "<table id=x role=table>\(grid)</table>",
            "<table id=x><caption>c</caption>\(grid)</table>",
            "<table id=x summary=s>\(grid)</table>",
            "<table id=x><thead><tr><td>h</td><td>h</td></tr></thead>\(grid)</table>",
            "<table id=x>\(grid)<tfoot><tr><td>f</td><td>f</td></tr></tfoot></table>",
            "<table id=x rules=all>\(grid)</table>",
            "<table id=x><col><col>\(grid)</table>",
            "<table id=x><colgroup><col></colgroup>\(grid)</table>",
            "<table id=x><tr><th>h</th><td>b</td></tr></table>",
            "<table id=x><tr><td scope=col>a</td><td>b</td></tr></table>",
            "<table id=x><tr><td headers=h>a</td><td>b</td></tr></table>",
            "<table id=x><tr><td abbr=A>a</td><td>b</td></tr></table>",
            "<div contenteditable><table id=x>\(grid)</table></div>",
        ]
        for html in evidence { XCTAssertEqual(try role(html), "table", html) }
        XCTAssertEqual(try role("<div contenteditable=false><table id=x>\(grid)</table></div>"), "LayoutTable")
    }

    func testRowCountDecides() throws {
        let twenty = String(repeating: "<tr><td>a</td></tr>", count: 20)
        XCTAssertEqual(try role("<table id=x>\(twenty)</table>"), "table", "20 rows make a data table")
        let nineteen = String(repeating: "<tr><td>a</td></tr>", count: 19)
        XCTAssertEqual(try role("<table id=x>\(nineteen)</table>"), "LayoutTable")
        XCTAssertEqual(try role("<table id=x><tr><td>only</td></tr></table>"), "LayoutTable", "a single cell")
        XCTAssertEqual(try role("<table id=x></table>"), "LayoutTable", "no rows")
    }

    /// At least half of the laid-out cells draw borders (on opposite sides, or all on one side).
    func testBorderedCellsMakeADataTable() throws {
        XCTAssertEqual(try role("<table id=x border=1>\(grid)</table>"), "table", "border gives cells 1px inset borders")
        XCTAssertEqual(try role("<table id=x border=0>\(grid)</table>"), "LayoutTable")
        XCTAssertEqual(try role("<table id=x style='border:1px solid'>\(grid)</table>"), "LayoutTable", "the table's own border is not its cells'")
        XCTAssertEqual(try role("""
            <table id=x><tr><td style="border:1px solid">a</td><td style="border:1px solid">b</td></tr><tr><td>c</td><td>d</td></tr></table>
            """), "table", "two of four cells bordered is half")
        XCTAssertEqual(try role("""
            <table id=x><tr><td style="border:1px solid">a</td><td>b</td><td>e</td></tr><tr><td>c</td><td>d</td><td>f</td></tr></table>
            """), "LayoutTable", "one of six is not")
        let sheet = { (rule: String) in "<style>\(rule)</style><table id=x class=t>\(self.grid)</table>" }
        XCTAssertEqual(try role(sheet(".t td { border: 1px solid #ccc }")), "table")
        XCTAssertEqual(try role(sheet(".t td { border-bottom: 1px solid #ccc }")), "table", "one side on every cell")
        XCTAssertEqual(try role(sheet(".t td { border: 1px solid } .t td { border: none }")), "LayoutTable", "the later rule wins")
        XCTAssertEqual(try role(sheet(".t td { border-style: solid; border-width: 0 }")), "LayoutTable", "zero width draws nothing")
        XCTAssertEqual(try role(sheet(".t td { border-style: solid }")), "table", "a style alone draws a medium border")
    }

    /// Cells with their own background, spaced apart (the default 2px border-spacing), count as
    /// borders do; without spacing they do not.
    func testCellBackgroundsWithSpacingMakeADataTable() throws {
        let colored = "<tr><td bgcolor='#eee'>a</td><td bgcolor='#eee'>b</td></tr><tr><td>c</td><td>d</td></tr>"
        XCTAssertEqual(try role("<table id=x>\(colored)</table>"), "table")
        XCTAssertEqual(try role("<table id=x cellspacing=0>\(colored)</table>"), "LayoutTable")
        XCTAssertEqual(try role("<table id=x bgcolor='#eeeeee'>\(colored)</table>"), "LayoutTable", "same colour as the table")
        XCTAssertEqual(try role("<style>.t{border-spacing:0}.t td{background:#eee}</style><table id=x class=t>\(grid)</table>"), "LayoutTable")
        XCTAssertEqual(try role("<style>.t td{background:#eee url(a.png) no-repeat}</style><table id=x class=t>\(grid)</table>"), "table")
    }

    func testZebraStripesAndEmptyCellsMakeADataTable() throws {
        let rows = (1...4).map { "<tr><td>\($0)</td><td>x</td></tr>" }.joined()
        XCTAssertEqual(try role("<style>.z tr:nth-child(odd){background:#eee}</style><table id=x class=z>\(rows)</table>"), "table")
        XCTAssertEqual(try role("<style>.z tr{background:#eee}</style><table id=x class=z>\(rows)</table>"), "LayoutTable",
                       "one colour for every row is no stripe")
        XCTAssertEqual(try role("<table id=x style='empty-cells:hide'>\(grid)</table>"), "table")
    }

    /// Only laid-out cells count: one or none is a layout table; an empty cell is still a box.
    func testCellsWithoutABoxDoNotCount() throws {
        XCTAssertEqual(try role("<table id=x border=1><tr><td>a</td><td style='display:none'>b</td></tr></table>"), "LayoutTable")
        XCTAssertEqual(try role("<table id=x border=1><tr><td>a</td><td style='display:inline'>b</td></tr></table>"), "LayoutTable")
        XCTAssertEqual(try role("<table id=x cellpadding=0 border=1><tr><td></td><td>b</td></tr></table>"), "table")
    }

    func testPresentationalAndGridTablesKeepTheirRoles() throws {
        XCTAssertEqual(try role("<table role=presentation><tr><td id=x>a</td><td>b</td></tr></table>"), "none")
        XCTAssertEqual(try role("<table role=grid><tr><td id=x>a</td><td>b</td></tr></table>"), "gridcell")
        XCTAssertEqual(try role("<table><tr><td>a<table><tr><th id=x>h</th><th>i</th></tr><tr><td>1</td><td>2</td></tr></table></td><td>b</td></tr></table>"),
                       "columnheader", "a nested data table inside a layout table is judged on its own")
        XCTAssertEqual(try role("<table><tr><th id=x>Only</th></tr></table>"), "LayoutTableCell",
                       "a one-cell table is layout before its header cell is looked at")
    }
}
