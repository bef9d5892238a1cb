import Foundation
import NNetnavSupport

/// Runs an evaluation's episodes on a number of workers (one per site instance or browser
/// context), skipping those its journal already holds and appending each one to it as soon as it
/// finishes. Results come back in the order of `items`, earlier runs' included.
///
/// Cancellation (Ctrl-C) stops every worker at its next step; episodes cut short are dropped,
/// not recorded as failures, so a rerun attempts them again; then `CancellationError` is thrown.
struct EpisodeScheduler<Item: Sendable>: Sendable {
    var label: String
    var workers: Int
    var journal: EvaluationJournal?
    var progress: Bool

    func run(_ items: [(key: String, item: Item)],
             episode: @escaping @Sendable (_ item: Item, _ worker: Int) async -> TaskEpisode) async throws -> [TaskEpisode] {
        var done: [String: TaskEpisode] = [:]
        for previous in journal?.previous ?? [] { if let key = previous.key { done[key] = previous } }
        let wanted = Set(items.map(\.key))
        let todo = items.filter { done[$0.key] == nil }
        let queue = WorkQueue(todo)
        let reused = done.keys.filter(wanted.contains).count
        let bar = progress ? ProgressBar(label: label, total: items.count, unit: "episodes") : nil
        if reused > 0 { bar?.advance(by: reused, status: "\(reused) done in an earlier run") }
        let tally = SuccessTally(passed: done.filter { wanted.contains($0.key) && $0.value.succeeded }.count, total: reused)
        let journal = self.journal
        let results = try await withThrowingTaskGroup(of: [(String, TaskEpisode)].self) { group in
            for worker in 0..<max(1, min(workers, todo.count)) {
                group.addTask {
                    var finished: [(String, TaskEpisode)] = []
                    while !Task.isCancelled, let (key, item) = await queue.next() {
                        var result = await episode(item, worker)
                        // Cut short by an interrupt: not a result.
                        if Task.isCancelled || result.interrupted == true { break }
                        result.key = key
                        result.interrupted = nil
                        try journal?.append(result)
                        let (passed, total) = await tally.record(result.succeeded)
                        bar?.advance(status: "success \(passed)/\(total)")
                        finished.append((key, result))
                    }
                    return finished
                }
            }
            var all: [(String, TaskEpisode)] = []
            for try await part in group { all += part }
            return all
        }
        bar?.finish()
        try Task.checkCancellation()
        for (key, result) in results { done[key] = result }
        return items.compactMap { done[$0.key] }
    }
}

/// Hands out work items to parallel workers.
actor WorkQueue<Item: Sendable> {
    private var items: [Item]
    init(_ items: [Item]) { self.items = items.reversed() }
    func next() -> Item? { items.popLast() }
}

actor SuccessTally {
    var passed: Int
    var total: Int
    init(passed: Int = 0, total: Int = 0) {
        self.passed = passed
        self.total = total
    }
    func record(_ success: Bool) -> (Int, Int) {
        total += 1
        if success { passed += 1 }
        return (passed, total)
    }
}
