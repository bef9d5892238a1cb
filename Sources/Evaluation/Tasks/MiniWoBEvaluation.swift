import ChromiumBrowser
import Foundation
import LanguageModels
import NNetnavSupport
import WebBrowser
import WebTasks

/// A policy on MiniWoB++ tasks, as NNetnav's paper evaluated: each (task, seed) episode starts
/// from the seeded task page in Chromium, the instruction is the task's utterance, and success is
/// MiniWoB's own reward when the episode ends (a stop action or the step limit ends it too).
public struct MiniWoBEvaluation: Sendable {
    public var agent: PolicyAgent
    public var taskSet: MiniWoBTaskSet
    public var pages: MiniWoBPages

    /// `agent` as it runs here: offered `stop []` but no answer texts, since MiniWoB++ scores the
    /// page's state by its own reward and an answer earns nothing; the twelve answer candidates
    /// were a third of every step's scoring (session 7: 2.4 of 4.0 s per step went to scoring).
    public static func policy(_ agent: PolicyAgent) -> PolicyAgent {
        var policy = agent
        policy.maxAnswers = 0
        return policy
    }

    public init(agent: PolicyAgent, taskSet: MiniWoBTaskSet, pages: MiniWoBPages) {
        self.agent = Self.policy(agent)
        self.taskSet = taskSet
        self.pages = pages
    }

    /// Runs every (task, seed) episode, `concurrency` at once, each in its own browser context of
    /// one headless Chromium. With a `journal`, episodes it already holds are not run again and
    /// every finished one is appended at once.
    public func run(tasks: [MiniWoBTaskSet.Task], seeds: [Int], concurrency: Int = 1, journal: EvaluationJournal? = nil,
                    progress: Bool = true) async throws -> [TaskEpisode] {
        let browser = try await ChromiumBrowser.launch()
        defer { browser.close() }
        let items: [(key: String, item: (MiniWoBTaskSet.Task, Int))] = tasks.flatMap { task in
            seeds.map { (key: EpisodeKey.miniwob(task: task.name, seed: $0), item: (task, $0)) }
        }
        let scheduler = EpisodeScheduler<(MiniWoBTaskSet.Task, Int)>(label: "miniwob", workers: concurrency,
                                                                     journal: journal, progress: progress)
        return try await scheduler.run(items) { item, _ in
            let env = MiniWoBEnvironment(browser: browser, pages: pages)
            let episode = await runEpisode(task: item.0, seed: item.1, env: env)
            await env.close()
            return episode
        }
    }

    func runEpisode(task: MiniWoBTaskSet.Task, seed: Int, env: MiniWoBEnvironment) async -> TaskEpisode {
        let started = Date()
        var episode = TaskEpisode(taskID: seed, site: "miniwob/\(task.name)", intent: "", difficulty: task.maxSteps ?? 0,
                                  instance: 0, steps: [], answer: nil, finalURL: "", result: EvaluationResult(checks: []),
                                  failure: nil, usage: .init(), seconds: 0)
        episode.key = EpisodeKey.miniwob(task: task.name, seed: seed)
        do {
            let observation = try await env.reset(task: task.name, seed: seed)
            episode.setupSeconds = Date().timeIntervalSince(started)
            episode.intent = env.utterance
            let rollout = await PolicyRollout.run(agent: agent, environment: env, from: observation,
                                                  objective: { env.utterance }, maxSteps: taskSet.evaluationSteps(for: task),
                                                  isDone: { env.isDone })
            episode.steps = rollout.steps
            episode.answer = rollout.answer
            episode.usage = rollout.usage
            episode.earlyStop = rollout.earlyStop
            episode.interrupted = rollout.cancelled
            let checking = Date()
            let outcome = env.outcome
            episode.evaluatorSeconds = Date().timeIntervalSince(checking)
            episode.result = EvaluationResult(checks: [rollout.error.map { CheckResult(kind: "run", passed: false, reason: $0) }
                ?? CheckResult(kind: "miniwob_reward", passed: outcome.reward > 0,
                               reason: "raw reward \(outcome.rawReward)" + (outcome.done ? "" : " (episode not finished)")
                                   + (outcome.reason.map { ": \($0)" } ?? ""),
                               expected: "reward > 0", actual: "raw reward \(outcome.rawReward)" + (outcome.done ? "" : ", not finished"))])
            // A finished episode with no reward is a wrong result even without a stop action.
            if !episode.result.passed { episode.failure = outcome.done && rollout.error == nil ? .wrongResult : rollout.failure }
        } catch {
            episode.result = EvaluationResult(checks: [CheckResult(kind: "setup", passed: false, reason: "\(error)")])
            episode.failure = .setup
        }
        episode.seconds = Date().timeIntervalSince(started)
        return episode
    }
}
