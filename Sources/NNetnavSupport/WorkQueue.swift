/// Hands out work items, in order, to parallel workers: each `next()` gives one item to one
/// worker, and nil once all are taken. Used by the crawler (episodes) and the evaluator (tasks).
public actor WorkQueue<Item: Sendable> {
    private var items: [Item]

    public init(_ items: [Item]) { self.items = items.reversed() }

    public func next() -> Item? { items.popLast() }
}
