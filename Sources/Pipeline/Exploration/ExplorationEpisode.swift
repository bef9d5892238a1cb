import Foundation
import WebBrowser

/// Why an episode ended, in words for the store.
public struct EpisodeStop: Sendable, Hashable {
    public var reason: StopReason
    public var detail: String

    public init(_ reason: StopReason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }
}

/// What one `nextStep()` did: executed an action, or ended the episode.
public enum EpisodeAdvance: Sendable, Hashable {
    case step(ExploredStep)
    case stop(EpisodeStop)
}

/// One NNetnav exploration episode in progress: the persona-conditioned policy acts, every action
/// gets a state-change summary, every `labelInterval` actions a label and a judge score that may
/// prune, and the early-stop rules apply. A page whose own task ends (MiniWoB++) gets a last
/// checkpoint at that action and ends the episode.
///
/// Everything the episode knows lives here; `nextStep()` advances it by one executed action.
public struct ExplorationEpisode: Sendable {
    public let plan: EpisodePlan
    public let modules: NNetnavModules
    public let environment: any BrowserEnvironment
    public let sink: any EpisodeSink
    public let maxActions: Int
    let rule: PruningRule

    /// The page the next action is taken on.
    public private(set) var observation: Observation
    public private(set) var steps: [ExploredStep] = []
    public private(set) var summaries: [String] = []
    public private(set) var checkpoints: [Checkpoint] = []
    /// The instruction of the last accepted checkpoint (the judge's "previous sub-task").
    public private(set) var lastAccepted: String?
    /// WebArena's description of the last executed action ("None" before the first).
    public private(set) var previousDescription = "None"
    /// Unusable policy answers in a row at the current depth.
    public private(set) var parseFailures = 0
    /// A stop decided after the last action (repeated actions), reported by the next `nextStep()`.
    private var pendingStop: EpisodeStop?
    /// Photograph each step's page (nil: no screenshots).
    public var screenshots: StepScreenshots? = nil

    var config: ExplorationConfig { modules.config }
    public var depth: Int { steps.count }

    public init(plan: EpisodePlan, start: Observation, modules: NNetnavModules, environment: any BrowserEnvironment,
                sink: any EpisodeSink) {
        self.plan = plan
        self.modules = modules
        self.environment = environment
        self.sink = sink
        self.observation = start
        maxActions = modules.config.maxActions(on: plan.site)
        rule = PruningRule(modules.config)
    }

    /// Per-call sampling seed: stable for (run seed, episode, step, module), so a resumed episode
    /// sends the same requests and hits the response cache.
    func seed(_ step: Int, _ module: PipelineModule) -> UInt64 {
        TextMeasures.fnv1a("\(config.seed)/\(plan.index)/\(step)/\(module.rawValue)")
    }

    /// Checkpoint if one is due, then execute the policy's next action; or say why the episode ends.
    public mutating func nextStep() async throws -> EpisodeAdvance {
        if let pendingStop { return .stop(pendingStop) }
        let taskResult = environment.pageTaskResult
        if config.isCheckpoint(depth: depth, maxActions: maxActions, taskEnded: taskResult != nil),
           checkpoints.last?.depth != depth {
            let checkpoint = try await checkpoint()
            checkpoints.append(checkpoint)
            try await sink.record(checkpoint: checkpoint)
            guard checkpoint.accepted else {
                return .stop(EpisodeStop(.pruned, "depth \(depth): \(checkpoint.decision) \(checkpoint.detail)"))
            }
            lastAccepted = checkpoint.instruction
        }
        if let taskResult {
            return .stop(EpisodeStop(.taskEnded, "the page's task ended after \(depth) actions with reward \(taskResult.reward)"
                + (taskResult.reason.map { ": \($0)" } ?? "")))
        }
        if depth >= maxActions { return .stop(EpisodeStop(.maxActions, "\(depth) actions")) }

        let chosen: PolicyChoice
        switch try await choosePolicyAction() {
        case .chosen(let choice): chosen = choice
        case .stop(let stop): return .stop(stop)
        }
        if case .stop(let answer) = chosen.action {
            return .stop(EpisodeStop(.policyStop, "policy issued stop [\(answer)] after \(depth) actions"))
        }
        let step = try await execute(chosen)
        // An ended task takes precedence: the next turn labels its last action.
        if environment.pageTaskResult == nil && isRepeating {
            pendingStop = EpisodeStop(.repeatedActions, "\(config.maxRepeatedActions) identical actions: \(previousDescription)")
        } else if environment.pageTaskResult == nil && config.avoidLoops
                    && ExplorationLoopGuard.isOscillating(steps, finalURL: observation.url) {
            // Quality hook (Pipeline/Quality/ExplorationLoopGuard): A-B-A-B counts as repetition.
            pendingStop = EpisodeStop(.repeatedActions, "oscillating between two pages or targets: \(previousDescription)")
        }
        return .step(step)
    }

    /// Records the terminal observation and returns the whole episode.
    public func finish(_ stop: EpisodeStop) async throws -> EpisodeOutcome {
        let terminal = ExploredStep(index: steps.count, url: observation.url, observation: observation.text,
                                    screenshot: await screenshots?.capture(environment))
        try await sink.record(step: terminal)
        return EpisodeOutcome(steps: steps + [terminal], checkpoints: checkpoints, stopReason: stop.reason,
                              stopDetail: stop.detail, pageTaskResult: environment.pageTaskResult)
    }

    // MARK: The policy's action

    /// A valid action and how it was obtained.
    struct PolicyChoice: Sendable {
        var action: BrowserAction
        var raw: String
        var constrained: Bool
    }

    enum PolicyOutcome: Sendable {
        case chosen(PolicyChoice)
        case stop(EpisodeStop)
    }

    /// Asks the policy (then, when its answer does not parse, the constrained re-ask) until an action
    /// is valid, or `maxConsecutiveParseFailures` answers in a row were not.
    mutating func choosePolicyAction() async throws -> PolicyOutcome {
        while true {
            let input = NNetnavModules.PolicyInput(observation: observation, persona: plan.persona, summaries: summaries,
                                                   previousAction: previousDescription, step: depth,
                                                   seed: seed(depth + 1000 * parseFailures, .policy),
                                                   maxActions: maxActions, site: plan.site)
            var raw = config.freeFormPolicy ? try await modules.policy(input) : ""
            var action = config.freeFormPolicy ? ActionParser.parse(response: raw)
                : .invalid(raw: "", reason: "free-form policy answers are turned off")
            var constrained = false
            if !action.isValid && config.constrainedFallback {
                let candidates = candidateActions()
                if candidates.isEmpty && !config.freeFormPolicy {
                    return .stop(EpisodeStop(.noActions, "the page offers no candidate action (no named link, button or "
                                             + "field, nothing to scroll, no way back) and free-form answers are off"))
                }
                if !candidates.isEmpty {
                    constrained = true
                    switch try await modules.chooseAction(input, candidates: candidates) {
                    case .chosen(let chosen, let answer):
                        action = chosen
                        raw = answer
                    case .unmatched(let answer, let reason):
                        action = .invalid(raw: answer, reason: reason)
                    }
                }
            }
            if action.isValid {
                parseFailures = 0
                return .chosen(PolicyChoice(action: action, raw: raw, constrained: constrained))
            }
            parseFailures += 1
            if parseFailures >= config.maxConsecutiveParseFailures {
                var detail = "\(parseFailures) consecutive unparseable policy answers"
                if case .invalid(_, let reason) = action { detail += " (last: \(reason))" }
                return .stop(EpisodeStop(.parseFailures, detail))
            }
        }
    }

    /// The page's candidate actions for the constrained re-ask. Repeating the previous action on its
    /// result page rarely explores anything, and a likelihood-ranked choice would keep picking it
    /// until the repeat rule stops the episode, so it is left out; so are sign-out controls, after
    /// which the persona's episode has nothing left to explore but the sign-in form.
    func candidateActions() -> [BrowserAction] {
        let names = Dictionary(CandidateActions.elements(in: observation.text).map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let candidates = Array(CandidateActions.enumerate(observation: observation, typing: .persona(plan.persona), step: depth,
                                                          canGoBack: CandidateActions.canGoBack(visited: steps.lazy.map(\.url), current: observation.url),
                                                          limit: 2 * config.maxCandidateActions + 1)
            .filter { environment.describe($0) != previousDescription }
            .filter { action in
                guard case .click(let id) = action, let name = names[id] else { return true }
                return !SessionControl.endsSession(name: name)
            })
        // Quality hook (Pipeline/Quality/ExplorationLoopGuard): prefer targets not acted on yet.
        let preferred = config.avoidLoops
            ? ExplorationLoopGuard.preferUnseen(candidates, history: steps, describe: environment.describe)
            : candidates
        return Array(preferred.prefix(config.maxCandidateActions))
    }

    // MARK: Acting

    /// Executes the action, summarizes its effect and records the step.
    mutating func execute(_ chosen: PolicyChoice) async throws -> ExploredStep {
        let description = environment.describe(chosen.action)
        // Quality hook (Pipeline/Quality/StepLocator): record the target so the step can be replayed.
        let locator = StepLocator.targetID(of: chosen.action).flatMap { id in
            StepLocator.make(id: id, observationText: observation.text,
                             selector: (environment as? any ElementSelecting)?.selector(forElement: id))
        }
        // The page as it is before the action, i.e. the page of this step's observation.
        let screenshot = await screenshots?.capture(environment)
        let next = try await environment.step(chosen.action)
        let change = try await modules.summarizeChange(before: observation, action: description, after: next,
                                                       step: depth, seed: seed(depth, .stateChange))
        let step = ExploredStep(index: depth, url: observation.url, observation: observation.text, rawOutput: chosen.raw,
                                action: chosen.action.description, actionDescription: description,
                                stateChange: change.summary, stateChangeRaw: change.raw, constrained: chosen.constrained,
                                error: next.error, locator: locator, screenshot: screenshot)
        try await sink.record(step: step)
        steps.append(step)
        summaries.append(change.summary)
        previousDescription = description
        observation = next
        return step
    }

    /// The last `maxRepeatedActions` actions are identical and not scrolls (NNetnav v2's rule).
    var isRepeating: Bool {
        let n = config.maxRepeatedActions
        guard n > 0, steps.count >= n else { return false }
        let last = steps.suffix(n).map { $0.actionDescription ?? "" }
        return Set(last).count == 1 && !(steps.last?.action ?? "").hasPrefix("scroll")
    }

    // MARK: Label and judge

    func checkpoint() async throws -> Checkpoint {
        let labeled = modules.config.groundedLabels
            ? try await modules.groundedLabel(pages: GroundedInstructions.pages(steps, endingAt: observation.url,
                                                                                observation: observation.text),
                                              summaries: summaries, step: depth, seed: seed(depth, .labeler))
            : try await modules.label(summaries: summaries, step: depth, seed: seed(depth, .labeler))
        if let decision = rule.screen(label: labeled.label, previousAccepted: lastAccepted) {
            return Checkpoint(depth: depth, instruction: labeled.label.instruction, rawLabel: labeled.raw, score: nil,
                              rawJudge: nil, decision: decision)
        }
        guard let instruction = labeled.label.instruction else {
            return Checkpoint(depth: depth, instruction: nil, rawLabel: labeled.raw, score: nil, rawJudge: nil,
                              decision: .prune(.labelUnusable, detail: "no instruction"))
        }
        // Quality hook (Pipeline/Quality/ContrastiveConsistency): a judge-independent agreement check first.
        var consistency: Double?
        if let margin = config.consistencyMargin,
           let score = try await modules.consistency(instruction: instruction, summaries: summaries, step: depth,
                                                     seed: seed(depth, .consistency),
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
                                             previousSubtask: lastAccepted, step: depth, seed: seed(depth, .judge))
        let decision = rule.decide(label: labeled.label, score: judged.score, previousAccepted: lastAccepted)
        var checkpoint = Checkpoint(depth: depth, instruction: instruction, rawLabel: labeled.raw, score: judged.score.value,
                                    rawJudge: judged.raw, decision: decision)
        checkpoint.consistency = consistency
        return checkpoint
    }
}
