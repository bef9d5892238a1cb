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
        var observation: Observation
        do {
            browser = try await harness.prepare(task)
            observation = browser.observation
        } catch {
            episode.result = EvaluationResult(checks: [CheckResult(kind: "setup", passed: false, reason: "\(error)")])
            episode.failure = .setup
            episode.seconds = Date().timeIntervalSince(started)
            return episode
        }

        var history: [String] = []
        var stopped = false
        do {
            for _ in 0..<maxSteps {
                let decision = try await agent.decide(observation: observation, objective: task.intent,
                                                      previousActions: history, canGoBack: !history.isEmpty)
                episode.usage = episode.usage + decision.usage
                let description = browser.describe(decision.action)
                var step = TaskEpisode.Step(url: observation.url, observation: observation.text,
                                            modelOutput: decision.raw, action: decision.action.description,
                                            actionDescription: description, valid: decision.action.isValid,
                                            constrained: decision.constrained, error: nil)
                if case .stop(let answer) = decision.action {
                    episode.answer = answer
                    episode.steps.append(step)
                    stopped = true
                    break
                }
                observation = try await browser.step(decision.action)
                step.error = observation.error
                episode.steps.append(step)
                history.append(description)
            }
        } catch {
            episode.result = EvaluationResult(checks: [CheckResult(kind: "run", passed: false, reason: "\(error)")])
            episode.failure = .modelOrEnvironmentError
            episode.finalURL = browser.currentURL
            episode.seconds = Date().timeIntervalSince(started)
            return episode
        }

        episode.finalURL = browser.currentURL
        episode.result = await harness.evaluate(task, answer: episode.answer ?? "", browser: browser)
        if !episode.result.passed {
            if stopped {
                episode.failure = .wrongResult
            } else if !episode.steps.isEmpty && episode.steps.allSatisfy({ !$0.valid }) {
                episode.failure = .invalidActions
            } else {
                episode.failure = .stepLimit
            }
        }
        episode.seconds = Date().timeIntervalSince(started)
        return episode
    }
}
