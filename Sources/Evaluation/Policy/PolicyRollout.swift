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
    /// The evaluation was interrupted during this rollout: the episode is unfinished, not failed.
    var cancelled = false
    /// The page the rollout ended on, as the policy saw it (canonical URLs), for a judge.
    var finalObservation: Observation?

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
                // An interrupted evaluation stops here; its caller drops the unfinished episode.
                try Task.checkCancellation()
                let clock = ContinuousClock()
                let asked = clock.now
                let decision = try await agent.decide(observation: observation, objective: objective(),
                                                      previousActions: history, canGoBack: !history.isEmpty)
                let modelSeconds = (clock.now - asked).inSeconds
                rollout.usage = rollout.usage + decision.usage
                let description = environment.describe(decision.action)
                var step = TaskEpisode.Step(url: observation.url, observation: observation.text,
                                            modelOutput: decision.raw, action: decision.action.description,
                                            actionDescription: description, valid: decision.action.isValid,
                                            constrained: decision.constrained, error: nil)
                if case .stop(let answer) = decision.action {
                    step.timing = StepTiming(modelSeconds: modelSeconds, measured: decision.timing, browserSeconds: 0)
                    rollout.answer = answer
                    rollout.steps.append(step)
                    rollout.stopped = true
                    break
                }
                let acted = clock.now
                observation = try await environment.step(decision.action)
                step.timing = StepTiming(modelSeconds: modelSeconds, measured: decision.timing,
                                         browserSeconds: (clock.now - acted).inSeconds)
                step.error = observation.error
                rollout.steps.append(step)
                history.append(description)
            }
        } catch is CancellationError {
            rollout.cancelled = true
            rollout.error = "interrupted"
        } catch {
            rollout.cancelled = Task.isCancelled
            rollout.error = "\(error)"
        }
        rollout.finalObservation = observation
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
