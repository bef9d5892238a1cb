import Foundation
import WebBrowser

/// Turns an explored episode's accepted checkpoints into demonstrations.
///
/// Fixes over NNetnav: duplicate instructions are dropped (NNetNav-6k had 532 repeats), nested
/// prefixes are capped per episode (keeping a spread of depths), each step's reasoning is generated
/// for the executed action and checked to end in it, and failed actions are never targets.
public struct DemonstrationBuilder: Sendable {
    public let modules: NNetnavModules
    public let registry: InstructionRegistry

    public init(modules: NNetnavModules, registry: InstructionRegistry) {
        self.modules = modules
        self.registry = registry
    }

    /// A checkpoint that made no demonstration, and why.
    public struct Skipped: Sendable, Hashable {
        public var depth: Int
        public var reason: String
    }

    public func build(plan: EpisodePlan, outcome: EpisodeOutcome) async throws -> (demos: [Demonstration], skipped: [Skipped]) {
        var skipped: [Skipped] = []
        var chosen: [Checkpoint] = []
        let accepted = outcome.checkpoints.filter { $0.accepted && $0.instruction != nil }.sorted { $0.depth < $1.depth }
        let cap = modules.config.maxDemonstrationsPerEpisode
        for checkpoint in Self.preferenceOrder(accepted, cap: cap) {
            let instruction = checkpoint.instruction!
            if let cap, chosen.count >= cap {
                skipped.append(Skipped(depth: checkpoint.depth, reason: "over the cap of \(cap) prefixes per episode"))
                continue
            }
            // Checked and claimed in one step, so a concurrent episode cannot take the same instruction
            // in between (and the note does not depend on which episode got there first).
            if let reason = await registry.claim(instruction) {
                skipped.append(Skipped(depth: checkpoint.depth, reason: reason))
            } else {
                chosen.append(checkpoint)
            }
        }
        var demos: [Demonstration] = []
        // Quality hook (Pipeline/Quality/RationaleBudget): one budget per episode, shared by its prefixes.
        let budget = RationaleBudget(giveUpAfter: modules.config.rationaleGiveUpAfter)
        do {
            for checkpoint in chosen {
                let demo = try await demonstration(plan: plan, outcome: outcome, checkpoint: checkpoint, budget: budget)
                // Two labels of one episode can end on the same page once each stops where its goal was
                // first reached; the store keeps one demonstration per (episode, depth): the first built.
                if demos.contains(where: { $0.depth == demo.depth }) {
                    await registry.release(checkpoint.instruction!)
                    skipped.append(Skipped(depth: checkpoint.depth,
                                           reason: "ends on the same page (step \(demo.depth)) as another demonstration"))
                    continue
                }
                demos.append(demo)
            }
        } catch {
            for checkpoint in chosen { await registry.release(checkpoint.instruction!) }
            throw error
        }
        return (demos.sorted { $0.depth < $1.depth }, skipped)
    }

    /// The order in which an episode's accepted prefixes (sorted by depth) are tried under the cap:
    /// a spread of depths first (the longest, the shortest, then evenly between), so the kept
    /// demonstrations are short and long tasks rather than near-identical long prefixes; the rest
    /// after them, longest first, to stand in for a spread pick that turns out to be a duplicate.
    static func preferenceOrder(_ accepted: [Checkpoint], cap: Int?) -> [Checkpoint] {
        let n = accepted.count
        guard let cap, cap > 0, n > cap else { return accepted.reversed() }
        var picks: [Int] = []
        if cap == 1 {
            picks = [n - 1]
        } else {
            for i in 0..<cap {
                let index = Int((Double(i) * Double(n - 1) / Double(cap - 1)).rounded())
                if !picks.contains(index) { picks.append(index) }
            }
            // The longest first, then the shortest, then the middle ones.
            picks = [picks.last!] + picks.dropLast()
        }
        let rest = (0..<n).reversed().filter { !picks.contains($0) }
        return (picks + rest).map { accepted[$0] }
    }

    func demonstration(plan: EpisodePlan, outcome: EpisodeOutcome, checkpoint: Checkpoint,
                       budget: RationaleBudget = RationaleBudget(giveUpAfter: nil)) async throws -> Demonstration {
        let instruction = checkpoint.instruction!
        var executed = outcome.steps.prefix(checkpoint.depth)
        var final = outcome.steps[checkpoint.depth]
        // A grounded label knows its answer, read from its final page, and where its demonstration starts and ends.
        var grounded: GroundedInstruction?
        if modules.config.groundedLabels {
            let span = GroundedInstructions.demonstration(
                of: instruction, in: GroundedInstructions.pages(executed, endingAt: final.url, observation: final.observation),
                actionLabels: modules.config.actionLabels)
            final = outcome.steps[span.end]
            executed = outcome.steps[(modules.config.trimDetours ? span.start : 0)..<span.end]
            grounded = span.grounded
        }
        let depth = final.index
        var steps: [Demonstration.Step] = []
        var history = ["1: None"]
        for step in executed {
            let action = ActionParser.parse(action: step.action ?? "")
            var rationale = Rationalization(text: "", attempts: 0, usedTemplate: false, rejections: [])
            // A failed action is never a target: it gets no rationale, and the exporter writes no row for it.
            if step.error == nil {
                let seed = TextMeasures.fnv1a("\(modules.config.seed)/\(plan.index)/\(checkpoint.depth)/\(step.index)/rationale")
                rationale = try await budget.rationalize(with: modules, instruction: instruction, url: step.url,
                                                          observation: step.observation,
                                                          previousActions: history.joined(separator: "\n"),
                                                          action: action, step: step.index, seed: seed)
            }
            steps.append(Demonstration.Step(url: step.url, observation: step.observation, action: action.description,
                                            actionDescription: step.actionDescription ?? action.description,
                                            stateChange: step.stateChange ?? "", rationale: rationale.text,
                                            templateRationale: rationale.usedTemplate, error: step.error, locator: step.locator))
            history.append("\(history.count + 1): \(step.actionDescription ?? action.description)")
        }
        let stop: (action: BrowserAction, raw: String, parsed: Bool)
        if let grounded {
            stop = (.stop(answer: grounded.answer), "(grounded \(grounded.kind.rawValue): answer read from the page)", true)
        } else {
            stop = try await modules.stopAction(instruction: instruction, url: final.url, observation: final.observation,
                                                step: checkpoint.depth,
                                                seed: TextMeasures.fnv1a("\(modules.config.seed)/\(plan.index)/\(checkpoint.depth)/stop"))
        }
        var demo = Demonstration(episode: plan.index, site: plan.site, persona: plan.persona.text, depth: depth,
                                 instruction: instruction, judgeScore: checkpoint.score, steps: steps, finalURL: final.url,
                                 finalObservation: final.observation, stopAction: stop.action.description,
                                 stopRaw: stop.raw, stopParsed: stop.parsed)
        demo.labeledDepth = checkpoint.depth
        return demo
    }
}
