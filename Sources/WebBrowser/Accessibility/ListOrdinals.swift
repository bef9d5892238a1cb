import Foundation

/// The ordinals of a document's list items, counted once per list: a numbered list whose items
/// show their markers asks for every item's number, and counting the siblings again for each item
/// would make a long list quadratic. Filled on first use, so documents without shown numbered
/// markers (nearly all) pay nothing; shared by the threads that build trees of one document.
final class ListOrdinals: @unchecked Sendable {
    private let lock = NSLock()
    /// Owner node index → ordinal of each of its list-item children, by the child's node index.
    private var tables: [Int: [Int: Int]] = [:]

    func ordinal(of item: HTMLElement) -> Int {
        guard let owner = item.parent else { return 1 }
        return lock.withLock {
            if let table = tables[owner.index] { return table[item.index] ?? 1 }
            let table = Self.count(owner)
            tables[owner.index] = table
            return table[item.index] ?? 1
        }
    }

    /// HTML's list item ordinals: the owner `<ol>`'s `start` (or its item count when `reversed`),
    /// reset by an item's `value`, counting the owner's list-item children in order.
    static func count(_ owner: HTMLElement) -> [Int: Int] {
        let items = owner.elementChildren.filter(ListMarker.isListItemBox)
        let reversed = owner.tag == "ol" && owner.hasAttribute("reversed")
        var current = owner.tag == "ol" ? owner.attribute("start").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            ?? (reversed ? items.count : 1) : 1
        var table: [Int: Int] = [:]
        for item in items {
            if let value = item.attribute("value").flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) { current = value }
            table[item.index] = current
            current += reversed ? -1 : 1
        }
        return table
    }
}
