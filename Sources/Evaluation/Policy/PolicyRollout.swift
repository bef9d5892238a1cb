import Foundation
import LanguageModels
import Pipeline
import WebBrowser

/// A policy acting in an environment until it stops, the environment says it is done, or the
/// step limit is reached: the loop shared by bundled-site tasks and MiniWoB++.
struct PolicyRollout {
    var steps: [TaskEpisode.Step] = []
    var answer: String?
    var stopped = false
    var usage = TokenUsage()
    /// The model server or the environment failed; the steps so far are kept.
    var error: String?

    /// `urlMap` names the sites' addresses as in training (canonical, port-free): the policy sees
    /// and writes those, its `goto`s are mapped back to the running instance.
    static func run(agent: PolicyAgent, environment local: any BrowserEnvironment, from start: Observation,
                    urlMap: SiteURLMap = .identity, objective: @escaping () -> String, maxSteps: Int,
                    isDone: () -> Bool = { false }) async -> PolicyRollout {
        let environment = CanonicalURLEnvironment(wrapping: local, map: urlMap)
        var rollout = PolicyRollout()
        var observation = urlMap.canonical(start)
        var history: [String] = []
        do {
            for _ in 0..<maxSteps where !isDone() {
                let decision = try await agent.decide(observation: observation, objective: objective(),
                                                      previousActions: history, canGoBack: !history.isEmpty)
                rollout.usage = rollout.usage + decision.usage
                let description = environment.describe(decision.action)
                var step = TaskEpisode.Step(url: observation.url, observation: observation.text,
                                            modelOutput: decision.raw, action: decision.action.description,
                                            actionDescription: description, valid: decision.action.isValid,
                                            constrained: decision.constrained, error: nil)
                if case .stop(let answer) = decision.action {
                    rollout.answer = answer
                    rollout.steps.append(step)
                    rollout.stopped = true
                    break
                }
                observation = try await environment.step(decision.action)
                step.error = observation.error
                rollout.steps.append(step)
                history.append(description)
            }
        } catch {
            rollout.error = "\(error)"
        }
        return rollout
    }

    /// Why a rollout whose result did not pass failed.
    var failure: FailureCause {
        if error != nil { return .modelOrEnvironmentError }
        if stopped { return .wrongResult }
        if !steps.isEmpty && steps.allSatisfy({ !$0.valid }) { return .invalidActions }
        return .stepLimit
    }
}
