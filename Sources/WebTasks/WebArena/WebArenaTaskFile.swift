import Foundation
import NNetnavSupport

/// WebArena's task file as it ships (`config_files/test.raw.json`, 812 tasks; a copy with its
/// licence is in `datasets/webarena/`), its `__SITE__` placeholders resolved from a deployment.
public enum WebArenaTaskFile {
    /// `datasets/webarena/test.raw.json` of the project.
    public static func defaultFile(layout: ProjectLayout = .current) -> URL {
        layout.root.appendingPathComponent("datasets/webarena/test.raw.json")
    }

    /// The tasks exactly as written, placeholders unresolved.
    public static func loadRaw(_ file: URL) throws -> [TaskConfig] {
        guard FileManager.default.fileExists(atPath: file.path) else { throw TaskSetError.missingFile(file) }
        let tasks: [TaskConfig]
        do {
            tasks = try JSONDecoder().decode([TaskConfig].self, from: Data(contentsOf: file))
        } catch let error as DecodingError {
            throw TaskSetError.malformed(file, TaskSet.describe(error))
        }
        var seen = Set<Int>()
        for t in tasks where !seen.insert(t.taskID).inserted { throw TaskSetError.duplicateID(file, t.taskID) }
        return tasks
    }

    /// The tasks of `sites` (all when nil: a task is kept when every site it names is selected),
    /// placeholders resolved. A placeholder a kept task uses without its variable set is an error
    /// naming the variable and the tasks.
    public static func load(_ file: URL, deployment: WebArenaDeployment,
                            sites: Set<WebArenaSite>? = nil) throws -> [TaskConfig] {
        let raw = try loadRaw(file)
        let kept = raw.filter { task in
            guard let sites else { return true }
            return task.sites.allSatisfy { WebArenaSite(rawValue: $0).map(sites.contains) ?? false }
        }
        var missing: [WebArenaSite: [Int]] = [:]
        for task in kept {
            for site in task.webArenaPlaceholders where deployment.baseURLs[site] == nil {
                missing[site, default: []].append(task.taskID)
            }
        }
        if let (site, ids) = missing.min(by: { $0.key.rawValue < $1.key.rawValue }) {
            throw WebArenaError.missingVariable(site.environmentVariable, placeholder: site.placeholder, taskIDs: ids)
        }
        let placeholders = deployment.placeholders
        return kept.map { $0.substituting(placeholders) }
    }
}

extension TaskConfig {
    /// The WebArena sites whose placeholder appears in the task's URLs, answers or page checks.
    public var webArenaPlaceholders: Set<WebArenaSite> {
        var texts = [startURL, eval.referenceURL ?? ""]
        if let answers = eval.referenceAnswers {
            texts += [answers.exactMatch ?? ""] + (answers.mustInclude ?? [])
            if case .answers(let list) = answers.fuzzyMatch { texts += list }
        }
        for check in eval.programHTML ?? [] {
            texts += [check.url, check.requiredContents.exactMatch ?? ""] + (check.requiredContents.mustInclude ?? [])
        }
        var found = Set<WebArenaSite>()
        for site in WebArenaSite.allCases where texts.contains(where: { $0.contains(site.placeholder) }) {
            found.insert(site)
        }
        return found
    }
}
