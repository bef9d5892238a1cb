import Foundation

/// Element → ARIA role, per HTML-AAM for implicit roles and WAI-ARIA 1.2 for the `role` attribute.
///
/// Roles are ARIA names (`link`, `textbox`, `image` is spelt `img` as Chromium does); the two
/// Chromium-internal roles WebArena observations show, `RootWebArea` and `StaticText`, are added
/// by the tree builder, and `LabelText` is used for `<label>` as Chromium reports it.
enum RoleMapping {
    static let ariaRoles: Set<String> = [
        "alert", "alertdialog", "application", "article", "banner", "blockquote", "button", "caption", "cell",
        "checkbox", "code", "columnheader", "combobox", "comment", "complementary", "contentinfo", "definition",
        "deletion", "dialog", "directory", "document", "emphasis", "feed", "figure", "form", "generic", "grid",
        "gridcell", "group", "heading", "img", "image", "insertion", "link", "list", "listbox", "listitem", "log",
        "main", "mark", "marquee", "math", "menu", "menubar", "menuitem", "menuitemcheckbox", "menuitemradio",
        "meter", "navigation", "none", "note", "option", "paragraph", "presentation", "progressbar", "radio",
        "radiogroup", "region", "row", "rowgroup", "rowheader", "scrollbar", "search", "searchbox", "sectionfooter", "sectionheader", "separator",
        "slider", "spinbutton", "status", "strong", "subscript", "suggestion", "superscript", "switch", "tab",
        "table", "tablist", "tabpanel", "term", "textbox", "time", "timer", "toolbar", "tooltip", "tree",
        "treegrid", "treeitem",
    ]

    /// Roles whose presence of a global ARIA attribute or focusability overrides `none`/`presentation`.
    static let globalARIAAttributes = ["aria-label", "aria-labelledby", "aria-describedby", "aria-live",
                                       "aria-owns", "aria-controls", "aria-details", "aria-keyshortcuts"]

    /// The first recognised token of the `role` attribute, if any.
    static func explicitRole(_ element: HTMLElement) -> String? {
        explicitRoles(element).first
    }

    /// The valid tokens of the `role` attribute in order: the first is the role, the others its
    /// fallbacks (WAI-ARIA 1.2 §7.1), used when the first cannot apply.
    static func explicitRoles(_ element: HTMLElement) -> [String] {
        guard let value = element.attribute("role") else { return [] }
        return value.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { token in
            let role = String(token)
            guard ariaRoles.contains(role) else { return nil }
            // Deprecated synonyms (WAI-ARIA 1.2): directory is list; image is spelt img as Chromium does.
            switch role {
            case "image": return "img"
            case "directory": return "list"
            default: return role
            }
        }
    }

    static func isFocusable(_ element: HTMLElement) -> Bool {
        if element.hasAttribute("tabindex") { return true }
        switch element.tag {
        case "a", "area": return element.hasAttribute("href")
        case "button", "select", "textarea": return true
        case "input": return (element.attribute("type") ?? "").lowercased() != "hidden"
        default: return element.hasAttribute("contenteditable")
        }
    }

    /// The element's computed role: explicit if valid and allowed, else implicit.
    static func role(of element: HTMLElement, hasName: () -> Bool) -> String {
        let explicit = explicitRoles(element)
        for (i, role) in explicit.enumerated() {
            if role == "none" || role == "presentation" {
                // Presentational conflict resolution: focusable or globally-labelled elements keep their role.
                let conflict = isFocusable(element) || globalARIAAttributes.contains { element.ariaAttribute($0) != nil }
                if !conflict { return "none" }
            } else if let context = requiredContext[role], !hasRequiredContext(element, context) {
                // WAI-ARIA 1.2: an owned element outside its required context is an authoring
                // error; Chromium then drops the role and uses the element's own (implicit) one.
            } else if role == "region" || role == "form", !hasName() {
                // A region or form landmark needs a name; without one the next listed role applies
                // (`role="region group"` is a group), else the element's own: `<div role=region>`
                // is a plain container, `<nav role=region>` navigation, `<form role=region>` a form
                // (a nameless <form> stays `form ''` in Chromium 156; probe pages and the bundled sites).
                if i + 1 < explicit.count { continue }
            } else {
                return role
            }
            break
        }
        return implicitRole(of: element, hasName: hasName)
    }

    /// WAI-ARIA 1.2 "required context role", for the roles Chromium 156 checks it for. Measured on
    /// probe pages: an orphan listitem, option or treeitem falls back to the element's own role;
    /// an orphan row, cell, gridcell, column/row header, tab or menuitem* keeps its ARIA role
    /// (WPT's contextual-roles expects those to fall back too; its table-roles expects an orphan
    /// cell kept, which is what Chromium does).
    static let requiredContext: [String: Set<String>] = [
        "listitem": ["list"],
        "option": ["listbox", "group"],
        "treeitem": ["tree", "group"],
    ]

    /// Whether the nearest ancestor with a role of its own (generic and presentational ones are
    /// looked through, as ARIA allows) has one of `context`'s roles.
    private static func hasRequiredContext(_ element: HTMLElement, _ context: Set<String>) -> Bool {
        var node = element.parent
        while let ancestor = node {
            let role = structuralRole(of: ancestor)
            if role != "generic" && role != "none" { return context.contains(role) }
            node = ancestor.parent
        }
        return false
    }

    /// An ancestor's role for the context check, from its markup alone (no further context walk).
    private static func structuralRole(of element: HTMLElement) -> String {
        if let explicit = explicitRole(element) { return explicit == "presentation" ? "none" : explicit }
        switch element.tag {
        case "select", "datalist": return "listbox"
        case "tr": return "row"
        case "table": return "table"
        case "div", "span": return "generic"
        default: return element.tagRole ?? "generic"
        }
    }

    static let sectioningContent: Set<String> = ["article", "aside", "main", "nav", "section"]
    static let sectioningRoles: Set<String> = ["article", "complementary", "main", "navigation", "region"]

    private static func insideSectioning(_ element: HTMLElement, main: Bool = true) -> Bool {
        element.ancestor { a in
            if let role = explicitRole(a) { return sectioningRoles.contains(role) && (main || role != "main") }
            return sectioningContent.contains(a.tag) && (main || a.tag != "main")
        } != nil
    }

    /// Implicit roles that depend on the tag alone.
    static let tagRoles: [String: String] = [
        "address": "group", "article": "article", "blockquote": "blockquote", "body": "generic",
        "br": "LineBreak", "button": "button", "caption": "caption", "code": "code", "datalist": "listbox",
        "dd": "definition", "del": "deletion", "details": "group", "dfn": "term", "dialog": "dialog", "dl": "DescriptionList",
        "dt": "term", "em": "emphasis", "fieldset": "group", "figure": "figure", "form": "form", "h1": "heading",
        "h2": "heading", "h3": "heading", "h4": "heading", "h5": "heading", "h6": "heading", "hgroup": "group",
        "hr": "separator", "abbr": "Abbr", "html": "RootWebArea", "iframe": "Iframe", "ins": "insertion", "label": "LabelText",
        "legend": "Legend", "main": "main", "mark": "mark", "math": "MathMLMath", "menu": "list", "meter": "meter",
        "nav": "navigation", "ol": "list", "optgroup": "group", "option": "option", "output": "status",
        "p": "paragraph", "progress": "progressbar", "s": "deletion", "search": "search", "strong": "strong",
        "sub": "subscript", "sup": "superscript", "textarea": "textbox",
        "time": "time", "ul": "list",
        // Chromium's own roles where ARIA has none or a coarser one (its tree prints these, so the
        // native tree must too): a description list, a figure caption, an abbreviation (named by
        // its title) and MathML's elements.
        "figcaption": "Figcaption", "mi": "MathMLIdentifier", "mn": "MathMLNumber", "mo": "MathMLOperator",
        "mrow": "MathMLRow", "mfrac": "MathMLFraction", "msup": "MathMLSup", "msub": "MathMLSub",
        "msubsup": "MathMLSubSup", "mover": "MathMLOver", "munder": "MathMLUnder", "munderover": "MathMLUnderOver",
        "mtable": "MathMLTable", "mtr": "MathMLTableRow", "mtd": "MathMLTableCell", "msqrt": "MathMLSquareRoot",
        "mroot": "MathMLRoot", "mtext": "MathMLText",
    ]

    /// Tags whose implicit role depends on attributes or context (`a` with `href`, `li` in a list...).
    static let contextualRoleTags: Set<String> = [
        "a", "area", "aside", "footer", "header", "img", "input", "li", "section", "select", "summary",
        "table", "thead", "tbody", "tfoot", "tr", "td", "th", "g", "image", "svg", "use",
    ]

    /// Inline handlers of the mouse-button events that make Chromium expose an anchor as a link.
    static let clickHandlerAttributes = ["onclick", "onmousedown", "onmouseup", "ondblclick", "onauxclick"]

    static func implicitRole(of element: HTMLElement, hasName: () -> Bool) -> String {
        if !element.tagTraits.contains(.contextualRole) { return element.tagRole ?? "generic" }
        switch element.tag {
        case "a", "area":
            // SVG links may still use xlink:href. Chromium also makes an anchor a link when it
            // listens for mouse clicks; the listeners markup shows are its inline handlers.
            if element.hasAttribute("href") || element.hasAttribute("xlink:href") { return "link" }
            return clickHandlerAttributes.contains(where: element.hasAttribute) ? "link" : "generic"
        case "thead", "tbody", "tfoot":
            // Chromium leaves a table's row groups out of its tree (no computed role: WPT
            // table-roles) unless focusable or named, when they are `rowgroup`.
            let exposed = isFocusable(element) || globalARIAAttributes.contains { element.ariaAttribute($0) != nil }
            return exposed ? "rowgroup" : "none"
        case "aside":
            // HTML-AAM scopes an aside to the body or `main` (complementary) or to other sectioning
            // content (generic unless named); a header or footer inside `main` is scoped, an aside is not.
            return insideSectioning(element, main: false) && !hasName() ? "generic" : "complementary"
        // Scoped to sectioning content, Chromium 156 maps them to ARIA 1.3's section header and
        // footer (html-aam's tentative roles-contextual; its older roles.html still says generic).
        case "footer": return insideSectioning(element) ? "sectionfooter" : "contentinfo"
        case "header": return insideSectioning(element) ? "sectionheader" : "banner"
        case "img":
            if let alt = element.attribute("alt"), alt.isEmpty,
               !globalARIAAttributes.contains(where: { element.ariaAttribute($0) != nil }), !element.hasAttribute("title") {
                return "none"
            }
            return "img"
        case "input": return inputRole(element)
        case "li":
            // The nearest ancestor with a role of its own owns it (plain containers between are
            // looked through: `<ul><div><li>`). A list whose role was changed (`<ul role=navigation>`,
            // presentational) owns no list items: Chromium shows them as plain containers, with
            // their markers as text (`ListMarker`).
            let listParent = hasRequiredContext(element, ["list", "directory"])
            return listParent ? "listitem" : "generic"
        case "section": return hasName() ? "region" : "generic"
        // SVG-AAM: an image is an image; a group is a group when it is named, else a container.
        case "image": return "img"
        case "g": return hasName() || svgTitle(of: element) != nil ? "group" : "generic"
        // Chromium 156 shows a named `<svg>` (aria-label, aria-labelledby, title, or a `<title>`
        // child: the usual icon) as one image; an unnamed one as a container.
        case "svg":
            if hasName() || svgTitle(of: element) != nil { return "img" }
            // An unnamed outermost `<svg>` is Chromium's SvgRoot, shown when something inside it
            // is (the tree builder drops an empty one); a nested one is a plain container.
            return element.ancestor(where: { $0.tag == "svg" }) == nil ? "SvgRoot" : "generic"
        // A `<use>` showing a titled symbol is that symbol's group (`SVGUse`).
        case "use": return hasName() ? "group" : "generic"
        case "select":
            let size = Int(element.attribute("size") ?? "") ?? 0
            return element.hasAttribute("multiple") || size > 1 ? "listbox" : "combobox"
        case "summary":
            // Only a details element's first summary is its disclosure control.
            guard let details = element.parent, details.tag == "details",
                  details.elementChildren.first(where: { $0.tag == "summary" }) === element else { return "generic" }
            return "DisclosureTriangle"
        case "table": return element.isLayoutTable ? "LayoutTable" : "table"
        case "tr":
            guard let table = table(of: element) else { return "generic" }
            switch explicitRole(table) {
            // A presentational table's rows and cells are presentational too (WAI-ARIA 1.2 §7.2).
            case "none", "presentation": return "none"
            case nil where table.isLayoutTable: return "LayoutTableRow"
            default: return "row"
            }
        case "td": return cellRole(element)
        case "th": return headerCellRole(element)
        default: return element.tagRole ?? "generic"
        }
    }

    /// The text of an SVG element's `<title>` child (SVG-AAM: its name), if it has one.
    static func svgTitle(of element: HTMLElement) -> String? {
        guard let title = element.elementChildren.first(where: { $0.tag == "title" }) else { return nil }
        let text = title.textContent.collapsingWhitespace()
        return text.isEmpty ? nil : text
    }

    static func inputType(_ element: HTMLElement) -> String {
        guard let type = element.attribute("type") else { return "text" }
        // Nearly every page writes types in plain lower case: skip the Foundation calls then.
        if type.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D }) { return type }
        return type.lowercased().trimmingCharacters(in: .whitespaces)
    }

    static func inputRole(_ element: HTMLElement) -> String {
        let hasList = element.hasAttribute("list")
        switch inputType(element) {
        case "button", "submit", "reset", "image": return "button"
        case "checkbox": return "checkbox"
        case "radio": return "radio"
        case "number": return "spinbutton"
        case "range": return "slider"
        case "search": return hasList ? "combobox" : "searchbox"
        case "hidden": return "none"
        case "email", "tel", "url", "text", "password", "": return hasList ? "combobox" : "textbox"
        case "color", "date", "datetime-local", "month", "time", "week", "file": return inputType(element) == "file" ? "button" : "textbox"
        default: return hasList ? "combobox" : "textbox"
        }
    }

    private static func table(of element: HTMLElement) -> HTMLElement? {
        element.ancestor { $0.tag == "table" }
    }

    private static func cellRole(_ element: HTMLElement) -> String {
        guard let table = table(of: element) else { return "generic" }
        switch explicitRole(table) {
        case "grid", "treegrid": return "gridcell"
        case "none", "presentation": return "none"
        case nil where table.isLayoutTable: return "LayoutTableCell"
        default: return "cell"
        }
    }

    private static func headerCellRole(_ element: HTMLElement) -> String {
        guard let table = table(of: element) else { return "generic" }
        if explicitRole(table) == "none" || explicitRole(table) == "presentation" { return "none" }
        // A lone header cell does not make a one-cell table a data table.
        if table.isLayoutTable && explicitRole(table) == nil { return "LayoutTableCell" }
        switch (element.attribute("scope") ?? "").lowercased() {
        case "row", "rowgroup": return "rowheader"
        case "col", "colgroup": return "columnheader"
        default: break
        }
        if element.parent?.parent?.tag == "thead" { return "columnheader" }
        // A header cell in a row that also holds data cells heads that row.
        if let row = element.parent, row.tag == "tr", row.elementChildren.contains(where: { $0.tag == "td" }),
           row.elementChildren.first === element {
            return "rowheader"
        }
        return "columnheader"
    }

    /// Roles whose name may come from their content (AccName 1.2 "name from: contents"), and
    /// `term`, which Chromium 156 names from its text (a `<dt>` or `<dfn>` shows as `term 'word'`),
    /// as it names a layout table's cells.
    static let nameFromContentRoles: Set<String> = [
        "button", "cell", "checkbox", "columnheader", "gridcell", "heading", "link", "menuitem",
        "menuitemcheckbox", "menuitemradio", "option", "radio", "row", "rowheader", "switch", "tab",
        "tooltip", "treeitem", "sectionhead", "LabelText", "Legend", "DisclosureTriangle",
        "comment", "suggestion", "term", "LayoutTableCell",
    ]

    /// Container roles whose content Chromium never uses for a name, their own or an ancestor's:
    /// a link wrapping an `<article>` card is unnamed, a heading holding a table skips it. Their
    /// author name (aria-label, title, alt) still counts inside an ancestor's content. (An SVG
    /// root's content does count: a link around an icon sprite is named by the icon's title.)
    static let containerRolesWithoutContentName: Set<String> = [
        "alert", "alertdialog", "application", "article", "banner", "blockquote", "complementary", "contentinfo",
        "dialog", "document", "feed", "figure", "form", "grid", "group", "Iframe", "img", "listbox", "log", "main",
        "marquee", "menu", "menubar", "navigation", "note", "radiogroup", "search", "sectionfooter", "sectionheader",
        "table", "tablist", "tabpanel", "timer", "toolbar", "tree", "treegrid",
    ]

    /// Roles that never take a name (AccName: "name prohibited"); their name is empty.
    static let nameProhibitedRoles: Set<String> = [
        "code", "deletion", "emphasis", "generic", "insertion", "mark", "none", "paragraph",
        "presentation", "strong", "subscript", "superscript", "time", "definition",
    ]
}
