import Foundation

/// Every constant of the method, with NNetnav's values as defaults.
///
/// Codable so a run records exactly what it used (the crawl store keeps it as JSON) and so the
/// main job's config file can override any field; missing keys keep their defaults.
public struct ExplorationConfig: Codable, Sendable, Hashable {
    /// Maximum actions per episode (NNetnav `--max_depth 40`).
    public var maxActions = 40
    /// Limits that replace `maxActions` on some sites, e.g. `"miniwob/click-button": 5` (NNetnav
    /// explored MiniWoB++ for at most 20 actions). nil: `maxActions` everywhere.
    public var siteMaxActions: [String: Int]? = nil
    /// Label and judge every `labelInterval` actions (`prune_at = [4, 8, ..., 40]`).
    public var labelInterval = 4
    /// Prune when the judge's score is below this (NNetnav: `reward < best_reward - 1`, i.e. < 4).
    public var judgeThreshold = 4.0
    /// Early stop after this many consecutive unparseable policy outputs.
    public var maxConsecutiveParseFailures = 3
    /// Early stop after this many identical consecutive non-scroll actions.
    public var maxRepeatedActions = 3
    /// Prune when the new instruction's token Jaccard similarity to the previous accepted one is at least
    /// this ("nothing new accomplished"; NNetnav's open-web "previous sub-task" rule, made explicit in code).
    public var noveltyJaccard = 0.8
    /// Temperature of the exploration policy (NNetnav: 1.0; the summarizer and labeler share it).
    public var policyTemperature = 1.0
    public var policyTopP = 0.9
    public var policyMaxTokens = 384
    /// Generation budget of the summarizer and labeler (NNetnav: 384 for every module).
    public var moduleMaxTokens = 384
    /// Generation budget of the rationalizer and stop-action modules.
    public var postprocessMaxTokens = 384
    /// Temperature of the summarizer and labeler.
    public var moduleTemperature = 1.0
    /// The judge is deterministic (fixes NNetnav's pruning with noisy rewards at temperature 1).
    public var judgeTemperature = 0.0
    /// How the judge answers: `choices` scores "1"..."5" by likelihood, `generate` writes "Reward: n",
    /// `auto` picks `choices` for local models (they score) and `generate` for remote ones.
    public var judgeMode: JudgeMode = .auto
    /// Accept a labeler answer without its "Instruction:" tag when a line of it passes the junk guard.
    /// nil (auto) turns this on for local models, which rarely follow the format, and off for remote ones.
    public var acceptUntaggedLabels: Bool? = nil
    /// Re-ask the policy with the page's candidate actions as `choices` when its output does not parse.
    public var constrainedFallback = true
    /// Ask the policy for a free-form answer first, as NNetnav does. A model too small to write the
    /// action grammar (the embedded 135M one almost never does) can skip straight to the constrained
    /// choice, which halves the cost of a step.
    public var freeFormPolicy = true
    /// At most this many candidate actions in a constrained re-ask (scoring cost grows with the count).
    public var maxCandidateActions = 24
    /// Observation truncation in module prompts, in estimated tokens (NNetnav v1: 1920). Step summaries are
    /// never truncated (fixes NNetnav's truncated trajectories).
    public var maxObservationTokens = 1920
    /// Rationalizer attempts before falling back to a template rationale that ends in the executed action.
    public var rationaleAttempts = 3
    /// Rationalizer and stop-action temperature (NNetnav v2 post-processing: 0.01).
    public var postprocessTemperature = 0.0
    /// Keep at most this many accepted prefixes per episode, longest first (nil keeps all, as NNetnav did).
    public var maxDemonstrationsPerEpisode: Int? = 3
    /// Drop an instruction whose token Jaccard similarity to a kept one is at least this (nil: exact duplicates only).
    public var nearDuplicateJaccard: Double? = 0.9
    /// Instructions longer than this many words are rejected (NNetnav v2 SFT filter: 100).
    public var maxInstructionWords = 100
    /// Seed for persona sampling and local sampling; episode i always gets the same persona.
    public var seed: UInt64 = 0
    // Quality gates (Pipeline/Quality; issue 15 §0). Turning all three off gives the pipeline without them.
    /// Reject labels that are not instructions about a site (code, chat filler, questions to the user).
    public var instructionFilter = true
    /// Count A-B-A-B oscillation as repetition and offer the constrained re-ask unseen targets first.
    public var avoidLoops = true
    /// Prune an instruction whose contrastive consistency (PMI per token) is below this; nil turns the
    /// check off. Applies only to models that score choices (the in-process engine).
    public var consistencyMargin: Double? = ContrastiveConsistency.defaultMargin
    /// After this many consecutive steps of an episode whose rationale attempts all failed, its remaining
    /// steps get the template without a model call (Pipeline/Quality/RationaleBudget); nil never gives up.
    public var rationaleGiveUpAfter: Int? = 3
    /// Describe each step's change from the two observations (`ObservedChange`) and label prefixes by the
    /// teacher's choice among hindsight instructions (`GroundedInstructions`), whose stop answers are read
    /// from the page, instead of free-form summaries, labels and stop actions. Off is NNetnav's method; the
    /// small-model adaptation turns it on, since a 135M teacher's free-form summaries and labels are noise.
    public var groundedLabels = false
    /// With grounded labels, start a demonstration where its detours end (`GroundedInstructions.demonstration(of:in:)`);
    /// false keeps NNetnav's prefix from the episode's first step. Either way it ends where its goal was first reached.
    public var trimDetours = true
    /// With grounded labels, label a prefix that reached no new fact, search or page by its last step ("Click
    /// the button "No".", `GroundedInstructions.actionLabel`). On for MiniWoB++ exploration, whose task pages
    /// act in place and state no facts; off on sites, where such prefixes are pruned as before.
    public var actionLabels = false

    public enum JudgeMode: String, Codable, Sendable, Hashable, CaseIterable { case auto, choices, generate }

    public init() {}

    /// Decodes a partial JSON object: keys that are absent keep their defaults.
    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func read<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v }
        }
        try read(.maxActions, &maxActions)
        siteMaxActions = try c.decodeIfPresent([String: Int].self, forKey: .siteMaxActions)
        try read(.labelInterval, &labelInterval)
        try read(.judgeThreshold, &judgeThreshold)
        try read(.maxConsecutiveParseFailures, &maxConsecutiveParseFailures)
        try read(.maxRepeatedActions, &maxRepeatedActions)
        try read(.noveltyJaccard, &noveltyJaccard)
        try read(.policyTemperature, &policyTemperature)
        try read(.policyTopP, &policyTopP)
        try read(.policyMaxTokens, &policyMaxTokens)
        try read(.moduleMaxTokens, &moduleMaxTokens)
        try read(.postprocessMaxTokens, &postprocessMaxTokens)
        try read(.moduleTemperature, &moduleTemperature)
        try read(.judgeTemperature, &judgeTemperature)
        try read(.judgeMode, &judgeMode)
        if c.contains(.acceptUntaggedLabels) {
            acceptUntaggedLabels = try c.decodeIfPresent(Bool.self, forKey: .acceptUntaggedLabels)
        }
        try read(.constrainedFallback, &constrainedFallback)
        try read(.freeFormPolicy, &freeFormPolicy)
        try read(.maxCandidateActions, &maxCandidateActions)
        try read(.maxObservationTokens, &maxObservationTokens)
        try read(.rationaleAttempts, &rationaleAttempts)
        try read(.postprocessTemperature, &postprocessTemperature)
        if c.contains(.maxDemonstrationsPerEpisode) {
            maxDemonstrationsPerEpisode = try c.decodeIfPresent(Int.self, forKey: .maxDemonstrationsPerEpisode)
        }
        if c.contains(.nearDuplicateJaccard) {
            nearDuplicateJaccard = try c.decodeIfPresent(Double.self, forKey: .nearDuplicateJaccard)
        }
        try read(.maxInstructionWords, &maxInstructionWords)
        try read(.seed, &seed)
        try read(.instructionFilter, &instructionFilter)
        try read(.avoidLoops, &avoidLoops)
        if c.contains(.rationaleGiveUpAfter) {
            rationaleGiveUpAfter = try c.decodeIfPresent(Int.self, forKey: .rationaleGiveUpAfter)
        }
        try read(.groundedLabels, &groundedLabels)
        try read(.trimDetours, &trimDetours)
        try read(.actionLabels, &actionLabels)
        if c.contains(.consistencyMargin) {
            consistencyMargin = try c.decodeIfPresent(Double.self, forKey: .consistencyMargin)
        }
    }

    /// The same config with the quality gates off: the pipeline as it was before them (for before/after figures).
    public func withoutQualityGates() -> ExplorationConfig {
        var config = self
        config.instructionFilter = false
        config.avoidLoops = false
        config.consistencyMargin = nil
        config.rationaleGiveUpAfter = nil
        return config
    }

    /// Settings for the embedded 135M model on CPU when no config file says otherwise: pages cut to
    /// fit its 4k-token context twice over (the summarizer sees two pages), shorter generations,
    /// fewer rationalizer retries and calls (it rarely names the right action; the template takes over), and
    /// grounded labels (see `groundedLabels`).
    public func adaptedForSmallLocalModel() -> ExplorationConfig {
        var config = self
        config.maxObservationTokens = min(config.maxObservationTokens, 600)
        config.policyMaxTokens = min(config.policyMaxTokens, 160)
        config.moduleMaxTokens = min(config.moduleMaxTokens, 96)
        config.postprocessMaxTokens = min(config.postprocessMaxTokens, 128)
        config.rationaleAttempts = min(config.rationaleAttempts, 2)
        // One failed step is enough to give up for the episode: in a 40-episode crawl none of the 116
        // rationales the 135M model wrote named its action (all became the template, 15% of the calls).
        config.rationaleGiveUpAfter = min(config.rationaleGiveUpAfter ?? 1, 1)
        config.freeFormPolicy = false
        config.groundedLabels = true
        return config
    }

    /// The action limit of episodes on `site`.
    public func maxActions(on site: String) -> Int { siteMaxActions?[site] ?? maxActions }

    /// Checkpoint depths: 4, 8, ..., maxActions, and the last action of an episode whose page task
    /// ended (NNetnav labeled an episode shorter than the interval once, on its whole trajectory).
    public func isCheckpoint(depth: Int, maxActions: Int, taskEnded: Bool = false) -> Bool {
        guard depth > 0, labelInterval > 0, depth <= maxActions else { return false }
        return taskEnded || depth % labelInterval == 0
    }
}
