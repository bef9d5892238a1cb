import Foundation
import LanguageModels
import WebBrowser
import WebSites
import WebTasks

/// Runs a policy on one task of a bundled site, on one site instance: the task harness resets
/// the task's sites and signs in if the task says so; the policy acts until it stops or runs out
/// of steps; the final state is scored with the task's evaluators.
public struct TaskRunner: Sendable {
    public var agent: PolicyAgent
    public var cluster: SiteCluster
    public var maxSteps: Int
    public var evaluator: TaskEvaluator

    public init(agent: PolicyAgent, cluster: SiteCluster, maxSteps: Int = 20, evaluator: TaskEvaluator = TaskEvaluator()) {
        self.agent = agent
        self.cluster = cluster
        self.maxSteps = maxSteps
        self.evaluator = evaluator
    }

    /// `task` must already have its URL placeholders substituted for `instance`.
    public func run(_ task: TaskConfig, instance: Int) async -> TaskEpisode {
        let started = Date()
        var episode = TaskEpisode(taskID: task.taskID, site: task.sites.first ?? "?", intent: task.intent,
                                  difficulty: task.difficulty, instance: instance, steps: [], answer: nil,
                                  finalURL: task.startURL, result: EvaluationResult(checks: []), failure: nil,
                                  usage: TokenUsage(), seconds: 0)
        let prefixes = Array(await cluster.baseURLs(instance: instance).values)
        let harness = TaskHarness(cluster: cluster, instance: instance, evaluator: evaluator,
                                  browserConfiguration: BrowserConfiguration(allowedURLPrefixes: prefixes))
        let browser: BrowserSession
        let observation: Observation
        do {
            browser = try await harness.prepare(task)
            observation = browser.observation
        } catch {
            episode.result = EvaluationResult(checks: [CheckResult(kind: "setup", passed: false, reason: "\(error)")])
            episode.failure = .setup
            episode.seconds = Date().timeIntervalSince(started)
            return episode
        }

        let intent = task.intent
        let rollout = await PolicyRollout.run(agent: agent, environment: browser, from: observation,
                                              objective: { intent }, maxSteps: maxSteps)
        episode.steps = rollout.steps
        episode.answer = rollout.answer
        episode.usage = rollout.usage
        episode.finalURL = browser.currentURL
        if let error = rollout.error {
            episode.result = EvaluationResult(checks: [CheckResult(kind: "run", passed: false, reason: error)])
        } else {
            episode.result = await harness.evaluate(task, answer: rollout.answer ?? "", browser: browser)
        }
        if !episode.result.passed { episode.failure = rollout.failure }
        episode.seconds = Date().timeIntervalSince(started)
        return episode
    }
}
