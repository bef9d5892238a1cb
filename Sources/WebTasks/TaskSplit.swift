import Foundation
import NNetnavSupport
import WebSites

/// The one recorded split of the bundled sites' tasks into a **training**
/// part (only the oracle arm learns from their scripted solutions) and a **held-out** part (every
/// arm is evaluated on it), in `datasets/experiment/split.json`.
///
/// The split was drawn once and is read, never recomputed, so adding tasks to a site cannot move
/// a task between the parts; a task missing from the file is reported, not silently placed.
/// `draw` is how it was made: per site, tasks ordered by (difficulty, id), alternately held-out and
/// training, so both parts span the same difficulties.
public struct TaskSplit: Codable, Sendable, Equatable {
    public var note: String
    /// site → task ids.
    public var training: [String: [Int]]
    public var heldOut: [String: [Int]]
    /// MiniWoB++: exploration uses seeds 1000+i and evaluation seeds 42…; the two never meet.
    public var miniwob: String

    public static func file(in layout: ProjectLayout = .current) -> URL {
        layout.root.appendingPathComponent("datasets/experiment/split.json")
    }

    public static func load(layout: ProjectLayout = .current) throws -> TaskSplit {
        let url = file(in: layout)
        do {
            return try JSONDecoder().decode(TaskSplit.self, from: Data(contentsOf: url))
        } catch {
            throw TaskSplitError.unreadable(url, "\(error)")
        }
    }

    /// The split as first drawn from the task sets.
    public static func draw(_ sets: [TaskSet]) -> TaskSplit {
        var split = TaskSplit(note: "Drawn once by TaskSplit.draw: per site, tasks ordered by (difficulty, task_id), even "
                                  + "positions held out, odd positions training. Recorded; never recomputed.",
                              training: [:], heldOut: [:],
                              miniwob: "exploration episodes use seeds 1000+i; evaluation uses MiniWoB's evaluation seeds 42, 43, …")
        for set in sets {
            let ordered = set.tasks.sorted { ($0.difficulty, $0.taskID) < ($1.difficulty, $1.taskID) }
            split.heldOut[set.site.rawValue] = ordered.enumerated().filter { $0.offset % 2 == 0 }.map(\.element.taskID).sorted()
            split.training[set.site.rawValue] = ordered.enumerated().filter { $0.offset % 2 == 1 }.map(\.element.taskID).sorted()
        }
        return split
    }

    /// Tasks of `set` in the held-out (or training) part, easiest first.
    public func tasks(of set: TaskSet, heldOut: Bool) -> [TaskConfig] {
        let ids = Set((heldOut ? self.heldOut : training)[set.site.rawValue] ?? [])
        return set.tasks.filter { ids.contains($0.taskID) }
            .sorted { ($0.difficulty, $0.taskID) < ($1.difficulty, $1.taskID) }
    }

    /// Problems that make the split unusable: a task in both parts, an id no task has, a task in neither.
    public func problems(against sets: [TaskSet]) -> [String] {
        var out: [String] = []
        for set in sets {
            let site = set.site.rawValue
            let train = Set(training[site] ?? []), held = Set(heldOut[site] ?? [])
            let known = Set(set.tasks.map(\.taskID))
            for id in train.intersection(held).sorted() { out.append("\(site) task \(id) is in both parts") }
            for id in train.union(held).subtracting(known).sorted() { out.append("\(site) task \(id) does not exist") }
            for id in known.subtracting(train.union(held)).sorted() { out.append("\(site) task \(id) is in neither part") }
        }
        return out
    }
}

public enum TaskSplitError: Error, CustomStringConvertible, Sendable {
    case unreadable(URL, String)
    case inconsistent([String])

    public var description: String {
        switch self {
        case .unreadable(let url, let m): return "the task split \(url.path) cannot be read: \(m)"
        case .inconsistent(let problems): return "the task split does not match the task sets: " + problems.joined(separator: "; ")
        }
    }
}
