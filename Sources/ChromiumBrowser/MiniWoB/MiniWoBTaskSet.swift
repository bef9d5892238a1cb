import Foundation
import NNetnavSupport

/// MiniWoB++ tasks as listed in `environments/miniwob/tasks.json`: the 16 NNetnav explored and
/// evaluated on (nnetnav.md §3.4) plus a few one-step tasks for smoke tests.
public struct MiniWoBTaskSet: Sendable, Decodable {
    public struct Task: Sendable, Decodable, Hashable {
        public var name: String
        /// True for the tasks of NNetnav's MiniWoB++ experiments.
        public var nnetnav: Bool
        /// Step limit for this task when shorter than the set's defaults.
        public var maxSteps: Int?
    }
    public struct SeedRange: Sendable, Decodable, Hashable {
        public var first: Int
        public var count: Int
        public var seeds: [Int] { Array(first..<(first + count)) }
    }

    public var explorationMaxSteps: Int
    /// Exploration episode `i` uses seed `explorationFirstSeed + i`, above every evaluation seed, so
    /// no explored page is an evaluation page.
    public var explorationFirstSeed: Int
    public var evaluationMaxSteps: Int
    public var evaluationSeeds: SeedRange
    public var tasks: [Task]

    public static func load(from file: URL = ProjectLayout.current.environments
        .appendingPathComponent("miniwob/tasks.json")) throws -> MiniWoBTaskSet {
        let data: Data
        do { data = try Data(contentsOf: file) } catch {
            throw MiniWoBError.taskListMissing(file.path)
        }
        do { return try JSONDecoder().decode(MiniWoBTaskSet.self, from: data) } catch {
            throw MiniWoBError.taskListInvalid(file.path, "\(error)")
        }
    }

    /// The tasks NNetnav used, in file order.
    public var nnetnavTasks: [Task] { tasks.filter(\.nnetnav) }

    public func task(named name: String) -> Task? { tasks.first { $0.name == name } }

    /// The tasks a command line names: `nnetnav` (NNetnav's 16), `all`, or comma-separated task names.
    public func tasks(selectedBy selection: String) throws -> [Task] {
        switch selection {
        case "nnetnav": return nnetnavTasks
        case "all": return tasks
        default:
            let names = selection.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !names.isEmpty else { throw MiniWoBError.noTasksSelected }
            return try names.map { name in
                guard let task = task(named: name) else { throw MiniWoBError.notInTaskList(name, known: tasks.map(\.name)) }
                return task
            }
        }
    }

    /// Step limit for evaluating `task`.
    public func evaluationSteps(for task: Task) -> Int { min(task.maxSteps ?? evaluationMaxSteps, evaluationMaxSteps) }
    public func explorationSteps(for task: Task) -> Int { min(task.maxSteps ?? explorationMaxSteps, explorationMaxSteps) }
}

public enum MiniWoBError: Error, CustomStringConvertible, Sendable {
    case taskListMissing(String)
    case taskListInvalid(String, String)
    case pagesMissing(String)
    case unknownTask(String)
    case notInTaskList(String, known: [String])
    case noTasksSelected
    case notStarted(String)

    public var description: String {
        switch self {
        case .taskListMissing(let path): "MiniWoB++ task list not found at \(path)"
        case .taskListInvalid(let path, let why): "MiniWoB++ task list \(path) is invalid: \(why)"
        case .pagesMissing(let why): "MiniWoB++ pages are not available: \(why) (run scripts/miniwob.sh)"
        case .unknownTask(let name): "no MiniWoB++ task page named '\(name)'"
        case .notInTaskList(let name, let known):
            "'\(name)' is not in the MiniWoB++ task list (environments/miniwob/tasks.json); choose nnetnav, all, or from: "
                + known.joined(separator: ", ")
        case .noTasksSelected: "no MiniWoB++ tasks selected: write nnetnav, all, or comma-separated task names"
        case .notStarted(let why): "the MiniWoB++ episode did not start: \(why)"
        }
    }
}
