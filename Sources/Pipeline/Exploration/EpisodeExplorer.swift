import Foundation
import WebBrowser

/// Where an explorer writes as it goes; the crawl store commits each call in its own transaction,
/// so a kill loses at most the step in flight.
public protocol EpisodeSink: Sendable {
    func record(step: ExploredStep) async throws
    func record(checkpoint: Checkpoint) async throws
}

/// Runs one NNetnav exploration episode: persona-conditioned policy, a state-change summary after
/// every action, label + judge every `labelInterval` actions with pruning, and early stops. A page
/// whose own task ends (MiniWoB++) gets a last checkpoint at that action and ends the episode.
public struct EpisodeExplorer: Sendable {
    public let modules: NNetnavModules
    public var config: ExplorationConfig { modules.config }

    public init(modules: NNetnavModules) { self.modules = modules }

    /// Per-call sampling seed: stable for (run seed, episode, step, module), so a resumed episode
    /// sends the same requests and hits the response cache.
    func seed(_ plan: EpisodePlan, _ step: Int, _ module: PipelineModule) -> UInt64 {
        TextMeasures.fnv1a("\(config.seed)/\(plan.index)/\(step)/\(module.rawValue)")
    }

    public func run(_ plan: EpisodePlan, startURL: String, environment: any BrowserEnvironment,
                    sink: any EpisodeSink) async throws -> EpisodeOutcome {
        let rule = PruningRule(config)
        let maxActions = config.maxActions(on: plan.site)
        var observation = try await environment.reset(startURL: startURL)
        var steps: [ExploredStep] = []
        var summaries: [String] = []
        var checkpoints: [Checkpoint] = []
        var lastAccepted: String?
        var previousDescription = "None"
        var parseFailures = 0
        var stop: (StopReason, String)?
        var checkedDepth = -1

        while stop == nil {
            let depth = steps.count
            try Task.checkCancellation()

            let taskResult = environment.pageTaskResult
            if config.isCheckpoint(depth: depth, maxActions: maxActions, taskEnded: taskResult != nil)
                && checkedDepth != depth {
                checkedDepth = depth
                let checkpoint = try await checkpoint(plan, depth: depth, summaries: summaries,
                                                      previousAccepted: lastAccepted, rule: rule)
                checkpoints.append(checkpoint)
                try await sink.record(checkpoint: checkpoint)
                if !checkpoint.accepted {
                    stop = (.pruned, "depth \(depth): \(checkpoint.decision) \(checkpoint.detail)")
                    break
                }
                lastAccepted = checkpoint.instruction
            }
            if let taskResult {
                stop = (.taskEnded, "the page's task ended after \(depth) actions with reward \(taskResult.reward)"
                    + (taskResult.reason.map { ": \($0)" } ?? ""))
                break
            }
            if depth >= maxActions { stop = (.maxActions, "\(depth) actions"); break }

            // Policy, with the constrained re-ask when its answer does not parse.
            let input = NNetnavModules.PolicyInput(observation: observation, persona: plan.persona, summaries: summaries,
                                                   previousAction: previousDescription, step: depth,
                                                   seed: seed(plan, depth + 1000 * parseFailures, .policy),
                                                   maxActions: maxActions)
            var raw = config.freeFormPolicy ? try await modules.policy(input) : ""
            var action = config.freeFormPolicy ? ActionParser.parse(response: raw)
                : .invalid(raw: "", reason: "free-form policy answers are turned off")
            var constrained = false
            if !action.isValid && config.constrainedFallback {
                // Repeating the previous action on its result page rarely explores anything, and a
                // likelihood-ranked choice would keep picking it until the repeat rule stops the episode.
                let candidates = CandidateActions.enumerate(observation: observation, persona: plan.persona, step: depth,
                                                            canGoBack: depth > 0, limit: 2 * config.maxCandidateActions + 1)
                    .filter { environment.describe($0) != previousDescription }
                // Quality hook (Pipeline/Quality/ExplorationLoopGuard): prefer targets not acted on yet.
                let unseen = config.avoidLoops
                    ? ExplorationLoopGuard.preferUnseen(Array(candidates), history: steps, describe: environment.describe)
                    : Array(candidates)
                let offered = unseen.prefix(config.maxCandidateActions).map(\.description)
                if !offered.isEmpty {
                    raw = try await modules.chooseAction(input, candidates: offered)
                    action = ActionParser.parse(action: raw)
                    constrained = true
                }
            }
            guard action.isValid else {
                parseFailures += 1
                if parseFailures >= config.maxConsecutiveParseFailures {
                    stop = (.parseFailures, "\(parseFailures) consecutive unparseable policy answers")
                }
                continue
            }
            parseFailures = 0
            if case .stop(let answer) = action {
                stop = (.policyStop, "policy issued stop [\(answer)] after \(depth) actions")
                break
            }

            let description = environment.describe(action)
            // Quality hook (Pipeline/Quality/StepLocator): record the target so the step can be replayed.
            let locator = StepLocator.targetID(of: action).flatMap { id in
                StepLocator.make(id: id, observationText: observation.text,
                                 selector: (environment as? any ElementSelecting)?.selector(forElement: id))
            }
            let next = try await environment.step(action)
            let change = try await modules.summarizeChange(before: observation, action: description, after: next,
                                                           step: depth, seed: seed(plan, depth, .stateChange))
            let step = ExploredStep(index: depth, url: observation.url, observation: observation.text, rawOutput: raw,
                                    action: action.description, actionDescription: description,
                                    stateChange: change.summary, stateChangeRaw: change.raw, constrained: constrained,
                                    locator: locator, actionError: next.error)
            try await sink.record(step: step)
            steps.append(step)
            summaries.append(change.summary)
            previousDescription = description
            observation = next

            // An ended task takes precedence: the next turn of the loop labels its last action.
            if environment.pageTaskResult == nil && isRepeating(steps) {
                stop = (.repeatedActions, "\(config.maxRepeatedActions) identical actions: \(description)")
            } else if environment.pageTaskResult == nil && config.avoidLoops
                        && ExplorationLoopGuard.isOscillating(steps, finalURL: next.url) {
                // Quality hook (Pipeline/Quality/ExplorationLoopGuard): A-B-A-B counts as repetition.
                stop = (.repeatedActions, "oscillating between two pages or targets: \(description)")
            }
        }

        let terminal = ExploredStep(index: steps.count, url: observation.url, observation: observation.text)
        try await sink.record(step: terminal)
        let (reason, detail) = stop!
        return EpisodeOutcome(steps: steps + [terminal], checkpoints: checkpoints, stopReason: reason, stopDetail: detail,
                              pageTaskResult: environment.pageTaskResult)
    }

    /// The last `maxRepeatedActions` actions are identical and not scrolls (NNetnav v2's rule).
    func isRepeating(_ steps: [ExploredStep]) -> Bool {
        let n = config.maxRepeatedActions
        guard n > 0, steps.count >= n else { return false }
        let last = steps.suffix(n).map { $0.actionDescription ?? "" }
        return Set(last).count == 1 && !(steps.last?.action ?? "").hasPrefix("scroll")
    }

    func checkpoint(_ plan: EpisodePlan, depth: Int, summaries: [String], previousAccepted: String?,
                    rule: PruningRule) async throws -> Checkpoint {
        let labeled = try await modules.label(summaries: summaries, step: depth, seed: seed(plan, depth, .labeler))
        if let decision = rule.screen(label: labeled.label, previousAccepted: previousAccepted) {
            return Checkpoint(depth: depth, instruction: labeled.label.instruction, rawLabel: labeled.raw, score: nil,
                              rawJudge: nil, decision: decision)
        }
        let instruction = labeled.label.instruction!
        // Quality hook (Pipeline/Quality/ContrastiveConsistency): a judge-independent agreement check first.
        var consistency: Double?
        if let margin = config.consistencyMargin,
           let score = try await modules.consistency(instruction: instruction, summaries: summaries, step: depth,
                                                     seed: seed(plan, depth, .consistency),
                                                     scorer: ContrastiveConsistency(margin: margin)) {
            consistency = score.value
            if !score.passes {
                var pruned = Checkpoint(depth: depth, instruction: instruction, rawLabel: labeled.raw, score: nil, rawJudge: nil,
                                        decision: .prune(.inconsistent, detail: String(
                                            format: "contrastive consistency %.3f < %.3f", score.value, margin)))
                pruned.consistency = score.value
                return pruned
            }
        }
        let judged = try await modules.judge(instruction: instruction, summaries: summaries,
                                             previousSubtask: previousAccepted, step: depth,
                                             seed: seed(plan, depth, .judge))
        let decision = rule.decide(label: labeled.label, score: judged.score, previousAccepted: previousAccepted)
        var checkpoint = Checkpoint(depth: depth, instruction: instruction, rawLabel: labeled.raw, score: judged.score.value,
                                    rawJudge: judged.raw, decision: decision)
        checkpoint.consistency = consistency
        return checkpoint
    }
}
