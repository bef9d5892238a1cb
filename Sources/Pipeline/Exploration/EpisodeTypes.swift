import Foundation
import WebBrowser

/// One episode to explore: which site, from where, as whom. Episode `index` fully determines
/// the site and persona, so a resumed or sharded crawl explores the same episodes.
public struct EpisodePlan: Sendable, Hashable, Codable {
    public var index: Int
    public var site: String
    public var persona: Persona

    public init(index: Int, site: String, persona: Persona) {
        self.index = index
        self.site = site
        self.persona = persona
    }
}

/// One executed action with the page it was taken on; the terminal row of an episode has no action.
public struct ExploredStep: Sendable, Hashable, Codable {
    public var index: Int
    public var url: String
    public var observation: String
    /// The policy's raw answer (or the chosen candidate when constrained).
    public var rawOutput: String?
    public var action: String?
    /// WebArena's action2str on the page the action was taken on.
    public var actionDescription: String?
    public var stateChange: String?
    public var stateChangeRaw: String?
    /// The action came from the constrained re-ask over candidate actions.
    public var constrained: Bool
    /// The browser's error when the action failed (missing element, refused URL, HTTP error).
    public var error: String?
    /// A reload-stable description of the action's target (Pipeline/Quality/StepLocator); nil without a target.
    public var locator: StepLocator? = nil
    /// The page the step was taken on as a JPEG (`StepScreenshots`), when the backend renders; nil otherwise.
    public var screenshot: Data? = nil

    public init(index: Int, url: String, observation: String, rawOutput: String? = nil, action: String? = nil,
                actionDescription: String? = nil, stateChange: String? = nil, stateChangeRaw: String? = nil,
                constrained: Bool = false, error: String? = nil, locator: StepLocator? = nil, screenshot: Data? = nil) {
        self.index = index
        self.url = url
        self.observation = observation
        self.rawOutput = rawOutput
        self.action = action
        self.actionDescription = actionDescription
        self.stateChange = stateChange
        self.stateChangeRaw = stateChangeRaw
        self.constrained = constrained
        self.error = error
        self.locator = locator
        self.screenshot = screenshot
    }
}

/// A label-and-judge checkpoint after `depth` actions.
public struct Checkpoint: Sendable, Hashable, Codable {
    public var depth: Int
    public var instruction: String?
    public var rawLabel: String
    public var score: Double?
    public var rawJudge: String?
    public var accepted: Bool
    /// "accepted", or the prune reason's raw value.
    public var decision: String
    public var detail: String
    /// Contrastive instruction-trajectory consistency (Pipeline/Quality), when it was measured.
    public var consistency: Double? = nil

    public init(depth: Int, instruction: String?, rawLabel: String, score: Double?, rawJudge: String?,
                decision: CheckpointDecision) {
        self.depth = depth
        self.instruction = instruction
        self.rawLabel = rawLabel
        self.score = score
        self.rawJudge = rawJudge
        switch decision {
        case .accept:
            accepted = true; self.decision = "accepted"; detail = ""
        case .prune(let reason, let detail):
            accepted = false; self.decision = reason.rawValue; self.detail = detail
        }
    }
}

public enum StopReason: String, Sendable, Hashable, Codable, CaseIterable {
    case maxActions = "max_actions"
    case pruned
    case policyStop = "policy_stop"
    case parseFailures = "parse_failures"
    case repeatedActions = "repeated_actions"
    /// The page's own task ended (a MiniWoB++ episode was submitted); nothing more happens on the page.
    case taskEnded = "task_ended"
    /// Free-form answers are off and the page offers no candidate (no named link, button or field, nothing
    /// to scroll, no way back): the policy cannot act, so asking it again would only burn the episode.
    case noActions = "no_actions"
}

public struct EpisodeOutcome: Sendable, Hashable {
    /// Executed steps followed by the terminal observation row.
    public var steps: [ExploredStep]
    public var checkpoints: [Checkpoint]
    public var stopReason: StopReason
    public var stopDetail: String
    /// The page task's result when it ended during the episode (MiniWoB++), else nil.
    public var pageTaskResult: PageTaskResult? = nil

    public init(steps: [ExploredStep], checkpoints: [Checkpoint], stopReason: StopReason, stopDetail: String,
                pageTaskResult: PageTaskResult? = nil) {
        self.steps = steps
        self.checkpoints = checkpoints
        self.stopReason = stopReason
        self.stopDetail = stopDetail
        self.pageTaskResult = pageTaskResult
    }
}
