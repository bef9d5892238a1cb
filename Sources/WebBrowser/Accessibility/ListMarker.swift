/// The marker Chromium shows as a StaticText before the content of a list item whose list lost
/// its list role (measured on probe pages: `<ul role=navigation><li>` shows "•", `<ol
/// role=navigation>` "1.", "2.", a nested list "◦", `<ul role=presentation>` and a menubar of
/// presentational items "•"; `list-style: none` nothing). In a real list the marker is a
/// ListMarker node the observation leaves out, whatever the item's own role, and an `<li>` with no
/// list around it shows none.
enum ListMarker {
    /// A `<li>` not given another display, or any element with `display: list-item`.
    static func isListItemBox(_ element: HTMLElement) -> Bool {
        if let display = element.style.display { return display == "list-item" }
        return element.tag == "li"
    }

    static func text(for element: HTMLElement, role: String, facts: DocumentFacts) -> String? {
        guard role == "generic" || role == "none", isListItemBox(element),
              let owner = owningList(of: element, facts: facts), facts.role(of: owner) != "list" else { return nil }
        return facts.listStyle(of: element).marker(ordinal: facts.listOrdinals.ordinal(of: element))
    }

    /// The nearest `<ul>`/`<ol>`/`<menu>` around the item, looking through plain containers.
    private static func owningList(of item: HTMLElement, facts: DocumentFacts) -> HTMLElement? {
        var node = item.parent
        while let ancestor = node {
            if ListStyle.listTags.contains(ancestor.tag) { return ancestor }
            let role = facts.role(of: ancestor)
            if role != "generic" && role != "none" { return nil }
            node = ancestor.parent
        }
        return nil
    }
}
