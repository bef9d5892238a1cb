import Foundation
import NNetnavSupport
import WebSites

public enum TaskSetError: Error, CustomStringConvertible, Sendable {
    case missingFile(URL)
    case malformed(URL, String)
    case duplicateID(URL, Int)
    /// The task answers were generated for seed 0; another seed gives other content.
    case seedMismatch(SiteName, seed: UInt64)

    public var description: String {
        switch self {
        case .missingFile(let u): return "task file not found: \(u.path)"
        case .malformed(let u, let m): return "task file \(u.path) is malformed: \(m)"
        case .duplicateID(let u, let id): return "task file \(u.path) has task_id \(id) twice"
        case .seedMismatch(let s, let seed):
            return "the \(s) tasks assume seed \(TaskSet.seed), but the sites run with seed \(seed); restart them with --seed \(TaskSet.seed)"
        }
    }
}

/// The tasks of one site, from `environments/<site>/tasks.json`.
public struct TaskSet: Sendable {
    public let site: SiteName
    public let tasks: [TaskConfig]
    /// The seed the reference answers were computed for.
    public static let seed: UInt64 = 0

    /// Loads and validates the site's tasks; with `baseURLs`, `__SHOP__`-style placeholders are
    /// replaced by the running instance's URLs.
    public static func load(site: SiteName, layout: ProjectLayout = .current,
                            baseURLs: [SiteName: String] = [:]) throws -> TaskSet {
        let file = layout.environments.appendingPathComponent(site.rawValue).appendingPathComponent("tasks.json")
        guard FileManager.default.fileExists(atPath: file.path) else { throw TaskSetError.missingFile(file) }
        let tasks: [TaskConfig]
        do {
            tasks = try JSONDecoder().decode([TaskConfig].self, from: Data(contentsOf: file))
        } catch let error as DecodingError {
            throw TaskSetError.malformed(file, Self.describe(error))
        }
        var seen = Set<Int>()
        for t in tasks {
            guard seen.insert(t.taskID).inserted else { throw TaskSetError.duplicateID(file, t.taskID) }
        }
        let placeholders = Dictionary(uniqueKeysWithValues: baseURLs.map { ($0.key.urlPlaceholder, $0.value) })
        return TaskSet(site: site, tasks: placeholders.isEmpty ? tasks : tasks.map { $0.substituting(placeholders) })
    }

    public init(site: SiteName, tasks: [TaskConfig]) {
        self.site = site
        self.tasks = tasks
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ c: DecodingError.Context) -> String {
            c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .keyNotFound(let key, let c): return "missing key '\(key.stringValue)' at \(path(c))"
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): return "\(c.debugDescription) at \(path(c))"
        @unknown default: return String(describing: error)
        }
    }
}
