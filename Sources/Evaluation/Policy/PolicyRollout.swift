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
    /// Why the agent's `EarlyStop` rule ended the rollout before its step limit, if it did.
    var earlyStop: String?

    /// `urlMap` names the sites' addresses as in training (canonical, port-free): the policy sees
    /// and writes those, its `goto`s are mapped back to the running instance.
    ///
    /// With a `reference` (teacher forcing), the policy is asked at every state but the reference's
    /// action is the one taken: each step records both and whether they agree
    /// (`ReferenceAgreement`), the rollout follows the reference solution to its end, and the
    /// early-stop rule does not apply.
    static func run(agent: PolicyAgent, environment local: any BrowserEnvironment, from start: Observation,
                    urlMap: SiteURLMap = .identity, objective: @escaping () -> String, maxSteps: Int,
                    reference: PolicyAgent? = nil, isDone: () -> Bool = { false }) async -> PolicyRollout {
        let environment = CanonicalURLEnvironment(wrapping: local, map: urlMap)
        var rollout = PolicyRollout()
        var observation = urlMap.canonical(start)
        var history: [String] = []
        var executed: [EarlyStop.Taken] = []
        do {
            for _ in 0..<maxSteps where !isDone() {
                // An interrupted evaluation stops here; its caller drops the unfinished episode.
                try Task.checkCancellation()
                let clock = ContinuousClock()
                let asked = clock.now
                // Every step so far is recorded with the page it acted on.
                let canGoBack = CandidateActions.canGoBack(visited: rollout.steps.lazy.map(\.url), current: observation.url)
                let decision = try await agent.decide(observation: observation, objective: objective(),
                                                      previousActions: history, canGoBack: canGoBack)
                let modelSeconds = (clock.now - asked).inSeconds
                rollout.usage = rollout.usage + decision.usage
                var taken = decision.action
                // Teacher forcing: the reference's action at this state and the candidates the policy had.
                var forced: (action: BrowserAction, offered: [BrowserAction])?
                if let reference {
                    let action = try await reference.decide(observation: observation, objective: objective(),
                                                            previousActions: history, canGoBack: canGoBack).action
                    forced = (action, agent.candidates(observation: observation, objective: objective(), canGoBack: canGoBack))
                    taken = action
                }
                let description = environment.describe(taken)
                var step = TaskEpisode.Step(url: observation.url, observation: observation.text,
                                            modelOutput: decision.raw, action: decision.action.description,
                                            actionDescription: environment.describe(decision.action), valid: decision.action.isValid,
                                            constrained: decision.constrained, error: nil)
                if let (reference, offered) = forced {
                    let scores = decision.choiceLogProbabilities
                    step.referenceAction = reference.description
                    step.matchesReference = ReferenceAgreement.agrees(decision.action, reference)
                    step.referenceOffered = ReferenceAgreement.isOffered(reference, among: offered)
                    step.referenceLogProbability = ReferenceAgreement.logProbability(of: reference, among: offered, scores: scores)
                    step.candidateCount = offered.count
                    step.referenceLogProbabilityWithinVerb = ReferenceAgreement.logProbability(of: reference, among: offered,
                                                                                               scores: scores, withinVerb: true)
                    step.verbCandidateCount = offered.filter { $0.verb == reference.verb }.count
                }
                if case .stop(let answer) = taken {
                    step.timing = StepTiming(modelSeconds: modelSeconds, measured: decision.timing, browserSeconds: 0)
                    rollout.answer = answer
                    rollout.steps.append(step)
                    rollout.stopped = true
                    break
                }
                let acted = clock.now
                observation = try await environment.step(taken)
                step.timing = StepTiming(modelSeconds: modelSeconds, measured: decision.timing,
                                         browserSeconds: (clock.now - acted).inSeconds)
                step.error = observation.error
                rollout.steps.append(step)
                history.append(description)
                executed.append(EarlyStop.Taken(action: taken, pageUnchanged: observation.text == step.observation))
                if reference == nil, let reason = agent.earlyStop.reason(after: executed), !isDone() {
                    rollout.earlyStop = reason
                    break
                }
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
        if earlyStop != nil { return steps.last?.valid == false ? .invalidActions : .repeatedActions }
        return .stepLimit
    }
}
