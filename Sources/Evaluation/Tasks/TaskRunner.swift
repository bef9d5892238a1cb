import Foundation
import LanguageModels
import Pipeline
import WebBrowser
import WebSites
import WebTasks

/// Runs a policy on one task of a bundled site, on one site instance: the task harness resets
/// the task's sites and signs in, in a fresh browser of the evaluation's backend, if the task says
/// so; the policy acts until it stops or runs out of steps; the final state is scored with the
/// task's evaluators and the browser is closed.
public struct TaskRunner: Sendable {
    public var agent: PolicyAgent
    public var cluster: SiteCluster
    public var maxSteps: Int
    public var evaluator: TaskEvaluator
    /// Teacher forcing: at every state the policy is asked, but the task's scripted solution acts
    /// (`PolicyRollout`'s `reference`), so each step measures whether the policy would have done
    /// the right thing there. The task's checks then score the reference's run, not the policy.
    public var followsReferenceSolution = false

    public init(agent: PolicyAgent, cluster: SiteCluster, maxSteps: Int = 20, evaluator: TaskEvaluator = TaskEvaluator()) {
        self.agent = agent
        self.cluster = cluster
        self.maxSteps = maxSteps
        self.evaluator = evaluator
    }

    /// `task` must already have its URL placeholders substituted for `instance`; `browsers` is the
    /// backend (`PolicyEvaluation` starts and stops it).
    public func run(_ task: TaskConfig, instance: Int, browsers: any TaskBrowserSource) async -> TaskEpisode {
        let started = Date()
        var episode = TaskEpisode(taskID: task.taskID, site: task.sites.first ?? "?", intent: task.intent,
                                  difficulty: task.difficulty, instance: instance, steps: [], answer: nil,
                                  finalURL: task.startURL, result: EvaluationResult(checks: []), failure: nil,
                                  usage: TokenUsage(), seconds: 0)
        let harness = TaskHarness(cluster: cluster, instance: instance, evaluator: evaluator, browsers: browsers)
        let browser: any ScriptableBrowser
        let observation: Observation
        do {
            (browser, observation) = try await harness.prepare(task)
            episode.setupSeconds = Date().timeIntervalSince(started)
        } catch {
            episode.result = EvaluationResult(checks: [CheckResult(kind: "setup", passed: false, reason: "\(error)")])
            episode.failure = .setup
            episode.seconds = Date().timeIntervalSince(started)
            return episode
        }

        let intent = task.intent
        let urlMap = SiteURLMap(localBases: Dictionary(uniqueKeysWithValues: await cluster.baseURLs(instance: instance)
            .map { ($0.key.rawValue, $0.value) }))
        var reference: PolicyAgent?
        if followsReferenceSolution {
            // The solution as the policy sees and writes URLs (canonical, port-free), like its training rows.
            var solution = task
            solution.solution = task.solution.map { step in
                if case .goto(let url) = step { return .goto(urlMap.canonical(url)) }
                return step
            }
            reference = PolicyAgent(model: ScriptedSolutionOracle(tasks: [solution]), prompt: agent.prompt, constrainedFallback: false)
            reference?.earlyStop = .never
        }
        let rollout = await PolicyRollout.run(agent: agent, environment: browser, from: observation, urlMap: urlMap,
                                              objective: { intent }, maxSteps: maxSteps, reference: reference)
        await episode.finish(rollout, in: browser) { answer in await harness.evaluate(task, answer: answer, browser: browser) }
        episode.seconds = Date().timeIntervalSince(started)
        return episode
    }
}
