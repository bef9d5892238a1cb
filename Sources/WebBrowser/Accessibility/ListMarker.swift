/// The marker Chromium shows as a StaticText before the content of a list item box whose role is
/// not `listitem` (measured on probe pages: `<ul role=navigation><li>` shows "•", `<ol
/// role=navigation>` "1.", "2.", a nested list "◦", `list-style: none` nothing; a real list item's
/// marker is a ListMarker node the observation leaves out).
enum ListMarker {
    /// A `<li>` not given another display, or any element with `display: list-item`.
    static func isListItemBox(_ element: HTMLElement) -> Bool {
        if let display = element.style.display { return display == "list-item" }
        return element.tag == "li"
    }

    static func text(for element: HTMLElement, role: String, facts: DocumentFacts) -> String? {
        guard role == "generic" || role == "none", isListItemBox(element) else { return nil }
        return facts.listStyle(of: element).marker(ordinal: ordinal(of: element))
    }

    /// HTML's list item ordinal: the owner `<ol>`'s `start` (or its item count when `reversed`),
    /// reset by an item's `value`, counting the owner's list item children in order.
    static func ordinal(of item: HTMLElement) -> Int {
        guard let owner = item.parent else { return 1 }
        let items = owner.elementChildren.filter(isListItemBox)
        let reversed = owner.tag == "ol" && owner.hasAttribute("reversed")
        var current = owner.tag == "ol" ? owner.attribute("start").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            ?? (reversed ? items.count : 1) : 1
        for sibling in items {
            if let value = sibling.attribute("value").flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) { current = value }
            if sibling === item { return current }
            current += reversed ? -1 : 1
        }
        return current
    }
}
