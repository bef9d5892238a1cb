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

    public init(agent: PolicyAgent, taskSet: MiniWoBTaskSet, pages: MiniWoBPages) {
        self.agent = agent
        self.taskSet = taskSet
        self.pages = pages
    }

    public func run(tasks: [MiniWoBTaskSet.Task], seeds: [Int], progress: Bool = true) async throws -> [TaskEpisode] {
        let browser = try await ChromiumBrowser.launch()
        defer { browser.close() }
        let bar = progress ? ProgressBar(label: "miniwob", total: tasks.count * seeds.count, unit: "episodes") : nil
        var episodes: [TaskEpisode] = []
        var passed = 0
        for task in tasks {
            for seed in seeds {
                let env = MiniWoBEnvironment(browser: browser, pages: pages)
                let episode = await runEpisode(task: task, seed: seed, env: env)
                await env.close()
                if episode.succeeded { passed += 1 }
                episodes.append(episode)
                bar?.advance(status: "success \(passed)/\(episodes.count)")
            }
        }
        bar?.finish()
        return episodes
    }

    func runEpisode(task: MiniWoBTaskSet.Task, seed: Int, env: MiniWoBEnvironment) async -> TaskEpisode {
        let started = Date()
        var episode = TaskEpisode(taskID: seed, site: "miniwob/\(task.name)", intent: "", difficulty: task.maxSteps ?? 0,
                                  instance: 0, steps: [], answer: nil, finalURL: "", result: EvaluationResult(checks: []),
                                  failure: nil, usage: .init(), seconds: 0)
        do {
            let observation = try await env.reset(task: task.name, seed: seed)
            episode.intent = env.utterance
            let rollout = await PolicyRollout.run(agent: agent, environment: env, from: observation,
                                                  objective: { env.utterance }, maxSteps: taskSet.evaluationSteps(for: task),
                                                  isDone: { env.isDone })
            episode.steps = rollout.steps
            episode.answer = rollout.answer
            episode.usage = rollout.usage
            let outcome = env.outcome
            episode.result = EvaluationResult(checks: [rollout.error.map { CheckResult(kind: "run", passed: false, reason: $0) }
                ?? CheckResult(kind: "miniwob_reward", passed: outcome.reward > 0,
                               reason: "raw reward \(outcome.rawReward)" + (outcome.done ? "" : " (episode not finished)")
                                   + (outcome.reason.map { ": \($0)" } ?? ""))])
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
