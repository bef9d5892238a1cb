import Foundation
import GRDB
import LanguageModels
import WebBrowser
import WebSites
import WebTasks

/// Runs a policy on one task of a bundled site, on one site instance: reset the instance, sign
/// in if the task says so, let the policy act until it stops or runs out of steps, then score
/// the final state with the task's evaluators.
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
        let baseURLs = await cluster.baseURLs(instance: instance)
        let browser = BrowserSession(configuration: BrowserConfiguration(allowedURLPrefixes: Array(baseURLs.values)))

        var observation: Observation
        do {
            for site in await cluster.sites { try await cluster.reset(site, instance: instance) }
            // reset() starts a fresh profile, so signing in comes after it.
            observation = try await browser.reset(startURL: task.startURL)
            if let account = task.login {
                try await SiteAccounts.signIn(account, browser: browser, baseURLs: baseURLs)
                observation = try await browser.step(.goto(url: task.startURL))
            }
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
        var databases: [SiteName: DatabaseQueue] = [:]
        for site in await cluster.sites {
            if let db = try? await cluster.database(site, instance: instance) { databases[site] = db }
        }
        episode.result = await evaluator.evaluate(task, answer: episode.answer ?? "", browser: browser, databases: databases)
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
