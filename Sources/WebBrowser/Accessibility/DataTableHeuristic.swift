/// Whether a `<table>` holds data or only lays a page out, decided as Chromium decides it
/// (Blink's `AXNodeObject::IsDataTable`, a WebKit heuristic): only a data table is a `table`
/// with rows and cells; a layout table shows as `LayoutTable`, `LayoutTableRow` and
/// `LayoutTableCell`, and its row groups leave the tree. HTML-AAM leaves the decision to the
/// browser ("layout tables" have no table semantics).
///
/// A table is a data table when the markup says so (a `role`, editing, a caption, `summary`,
/// `<thead>`/`<tfoot>`, `rules`, `<col>`/`<colgroup>`, 20 rows or more, any `<th>`, a cell with
/// `headers`, `abbr`, `axis` or `scope`, `empty-cells: hide`), or when its cells look like a grid:
/// at least half of the laid-out cells draw borders on opposite sides or on one same side, or
/// differ in background from the table while spaced apart, or its first rows alternate colours.
/// A single cell, or one or no laid-out cell, is layout. The decision reads the cascaded style
/// (`TableBoxStyle`), so it runs once per table after the cascade (`classify`).
enum DataTableHeuristic {
    /// Chromium's row count from which a table is data whatever its cells look like.
    static let minimumDataRows = 20
    /// Cells with borders (or with their own background) that settle the question early.
    static let decisiveCells = 10
    /// How many leading rows the zebra-stripe check compares.
    static let stripeRows = 5

    /// Marks every layout table under `root` (`HTMLElement.isLayoutTable`).
    static func classify(_ root: HTMLElement) {
        for element in root.descendants() where element.tag == "table" {
            element.isLayoutTable = !isDataTable(element)
        }
    }

    static func isDataTable(_ table: HTMLElement) -> Bool {
        if table.hasAttribute("role") { return true }
        if isEditable(table) { return true }
        if table.attribute("summary")?.isEmpty == false { return true }
        let children = table.elementChildren
        if children.contains(where: { ["caption", "thead", "tfoot", "col", "colgroup"].contains($0.tag) }) { return true }
        if table.attribute("rules")?.isEmpty == false { return true }

        let rows = self.rows(of: table)
        if rows.count >= minimumDataRows { return true }
        if rows.isEmpty { return false }
        if rows.count == 1 && cells(of: rows[0]).count == 1 { return false }

        let tableBackground = background(of: table)
        let spaced = !(table.style.table.borderSpacingZero ?? (table.attribute("cellspacing").flatMap(pixels) == 0))
        let bordered = presentationalBorder(table)

        var laidOut = 0, borderedCells = 0, backgroundCells = 0
        var sideCounts = [0, 0, 0, 0]
        var stripes: [String] = []
        for (rowIndex, row) in rows.enumerated() {
            for cell in cells(of: row) {
                if cell.tag == "th" { return true }
                if ["headers", "abbr", "axis", "scope"].contains(where: { cell.attribute($0)?.isEmpty == false }) { return true }
                guard isLaidOut(cell) else { continue }
                laidOut += 1
                if emptyCellsHidden(cell, below: table) { return true }

                let sides = (0..<4).map { cell.style.table.drawsBorder(side: $0, presentational: bordered) }
                if (sides[0] && sides[2]) || (sides[1] && sides[3]) { borderedCells += 1 }
                for side in 0..<4 where sides[side] { sideCounts[side] += 1 }
                let cellBackground = background(of: cell)
                if spaced && cellBackground != tableBackground && cellBackground != "transparent" { backgroundCells += 1 }
                if borderedCells >= decisiveCells || backgroundCells >= decisiveCells { return true }
                // The first laid-out cell of each of the first rows records its row's colour.
                if rowIndex < stripeRows && rowIndex == stripes.count { stripes.append(background(of: row)) }
            }
        }
        if laidOut <= 1 { return false }
        let half = laidOut / 2
        if borderedCells >= half || sideCounts.contains(where: { $0 >= half }) { return true }
        if backgroundCells >= half { return true }
        if stripes.count > 2 {
            // Zebra stripes: odd rows differ from the first, even rows repeat it.
            for (k, color) in stripes.enumerated().dropFirst() where (k % 2 == 1) == (color == stripes[0]) {
                return false
            }
            return true
        }
        return false
    }

    /// The table's rows as `table.rows` lists them: the head's, then the bodies' and loose rows
    /// in order, then the foot's (nested tables' rows are theirs).
    static func rows(of table: HTMLElement) -> [HTMLElement] {
        var head: [HTMLElement] = [], body: [HTMLElement] = [], foot: [HTMLElement] = []
        var sawHead = false, sawFoot = false
        for child in table.elementChildren {
            switch child.tag {
            case "tr": body.append(child)
            case "thead" where !sawHead:
                sawHead = true
                head = child.elementChildren.filter { $0.tag == "tr" }
            case "tfoot" where !sawFoot:
                sawFoot = true
                foot = child.elementChildren.filter { $0.tag == "tr" }
            case "thead", "tbody", "tfoot": body += child.elementChildren.filter { $0.tag == "tr" }
            default: break
            }
        }
        return head + body + foot
    }

    static func cells(of row: HTMLElement) -> [HTMLElement] {
        row.elementChildren.filter { $0.tag == "td" || $0.tag == "th" }
    }

    /// Whether the cell is laid out as a table cell (rendered, and not turned into an inline box).
    /// Chromium also skips cells under 1px, which only an empty, unpadded and borderless cell can
    /// be, and such a cell changes no count the decision makes.
    private static func isLaidOut(_ cell: HTMLElement) -> Bool {
        if cell.style.displayNone || (cell.hasAttribute("hidden") && cell.style.display == nil) { return false }
        if let display = cell.style.display, display != "table-cell", display != "block", display != "inline-block",
           display != "flow-root", display != "list-item" { return false }
        return true
    }

    /// `empty-cells` is inherited: the nearest declaration from the cell up to its table.
    private static func emptyCellsHidden(_ cell: HTMLElement, below table: HTMLElement) -> Bool {
        var node: HTMLElement? = cell
        while let element = node {
            if let hide = element.style.table.emptyCellsHide { return hide }
            if element === table { return false }
            node = element.parent
        }
        return false
    }

    /// The author's background colour, else the `bgcolor` attribute's, else transparent.
    private static func background(of element: HTMLElement) -> String {
        if let color = element.style.table.background { return color }
        if let color = element.attribute("bgcolor"), !color.isBlank { return TableBoxStyle.normalizedColor(color.lowercased()) }
        return "transparent"
    }

    /// HTML's rendering rules give every cell a 1px inset border when the table's `border`
    /// attribute is present and not zero.
    private static func presentationalBorder(_ table: HTMLElement) -> Bool {
        guard let border = table.attribute("border") else { return false }
        return border.isBlank || (pixels(border) ?? 1) != 0
    }

    /// An attribute's leading non-negative integer (`"0"`, `"2px"` → 2), nil when it has none.
    private static func pixels(_ value: String) -> Int? {
        Int(value.trimmingASCIIWhitespace().prefix { $0.isNumber })
    }

    /// Inside an editing host: `contenteditable` other than "false" on the table or an ancestor.
    private static func isEditable(_ element: HTMLElement) -> Bool {
        var node: HTMLElement? = element
        while let e = node {
            if let value = e.attribute("contenteditable") { return value.lowercased() != "false" }
            node = e.parent
        }
        return false
    }
}
