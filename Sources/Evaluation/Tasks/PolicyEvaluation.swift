import ChromiumBrowser
import Environments
import Foundation
import NNetnavSupport
import WebBrowser
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
    /// when the backend cannot start (Chromium missing), the journal cannot be written, or the
    /// evaluation is cancelled; a task that fails is an episode's failure. With a `journal`,
    /// tasks it already holds are not run again and every finished one is appended at once.
    public func run(_ tasks: [TaskConfig], instances: Int, journal: EvaluationJournal? = nil,
                    progress: Bool = true) async throws -> [TaskEpisode] {
        let chromium = backend == .chromium ? ChromiumBrowserSource(browser: try await ChromiumBrowser.launch()) : nil
        defer { chromium?.close() }
        // The native viewport is cut to the policy's prompt, so the policy sees every window whole.
        let browsers: any TaskBrowserSource = chromium
            ?? NativeBrowserSource(configuration: BrowserConfiguration(viewportBudget: runner.agent.prompt.viewportBudget))
        let cluster = runner.cluster
        let runner = self.runner
        var placeholders: [[String: String]] = []
        for instance in 0..<max(1, instances) {
            placeholders.append(Dictionary(uniqueKeysWithValues: await cluster.baseURLs(instance: instance)
                .map { ($0.key.urlPlaceholder, $0.value) }))
        }
        let perInstance = placeholders
        let scheduler = EpisodeScheduler<TaskConfig>(label: label, workers: max(1, instances), journal: journal, progress: progress)
        return try await scheduler.run(tasks.map { (EpisodeKey.task($0), $0) }) { task, instance in
            await runner.run(task.substituting(perInstance[instance]), instance: instance, browsers: browsers)
        }
    }
}
