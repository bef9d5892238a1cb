import ChromiumBrowser
import Environments
import Foundation
import NNetnavSupport
import WebSites
import WebTasks

/// Runs a policy on many tasks in parallel, one worker per site instance, each task on a freshly
/// reset instance (so WebArena's ordering constraints between tasks do not apply), in a fresh
/// browser of the chosen backend: a native session, or a context of one headless Chromium that
/// lives as long as the evaluation.
public struct PolicyEvaluation: Sendable {
    public var runner: TaskRunner
    public var label: String
    public var backend: BrowserBackend

    public init(runner: TaskRunner, label: String = "eval", backend: BrowserBackend = .native) {
        self.runner = runner
        self.label = label
        self.backend = backend
    }

    /// `tasks` carry URL placeholders (`__SHOP__`); they are substituted per instance. Throws only
    /// when the backend cannot start (Chromium missing); a task that fails is an episode's failure.
    public func run(_ tasks: [TaskConfig], instances: Int, progress: Bool = true) async throws -> [TaskEpisode] {
        let chromium = backend == .chromium ? ChromiumBrowserSource(browser: try await ChromiumBrowser.launch()) : nil
        defer { chromium?.close() }
        let browsers: any TaskBrowserSource = chromium ?? NativeBrowserSource()
        let queue = WorkQueue(tasks.enumerated().map { $0 })
        let bar = progress ? ProgressBar(label: label, total: tasks.count, unit: "tasks") : nil
        let tally = SuccessTally()
        let cluster = runner.cluster
        let runner = self.runner
        let results = await withTaskGroup(of: [(Int, TaskEpisode)].self) { group in
            for instance in 0..<max(1, instances) {
                group.addTask {
                    var done: [(Int, TaskEpisode)] = []
                    let placeholders = Dictionary(uniqueKeysWithValues: await cluster.baseURLs(instance: instance)
                        .map { ($0.key.urlPlaceholder, $0.value) })
                    while let (index, task) = await queue.next() {
                        let episode = await runner.run(task.substituting(placeholders), instance: instance, browsers: browsers)
                        let (passed, total) = await tally.record(episode.succeeded)
                        bar?.advance(status: "success \(passed)/\(total)")
                        done.append((index, episode))
                    }
                    return done
                }
            }
            var all: [(Int, TaskEpisode)] = []
            for await part in group { all += part }
            return all
        }
        bar?.finish()
        return results.sorted { $0.0 < $1.0 }.map(\.1)
    }
}

private actor SuccessTally {
    var passed = 0
    var total = 0
    func record(_ success: Bool) -> (Int, Int) {
        total += 1
        if success { passed += 1 }
        return (passed, total)
    }
}
