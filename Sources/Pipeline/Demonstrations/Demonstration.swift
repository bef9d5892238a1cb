import Foundation

/// An accepted prefix of an episode, relabeled and rationalized: NNetnav's training unit.
///
/// Steps 0..<depth carry the executed actions with reasoning that ends in them; the final state
/// (the page after `depth` actions) carries the synthesized stop action.
public struct Demonstration: Sendable, Hashable, Codable {
    public struct Step: Sendable, Hashable, Codable {
        public var url: String
        public var observation: String
        public var action: String
        public var actionDescription: String
        public var stateChange: String
        public var rationale: String
        /// The rationale is the fallback template (every model attempt named another action).
        public var templateRationale: Bool
        /// The browser's error when the action failed: the step stays in the history of later
        /// steps but is never a training target (and has no rationale).
        public var error: String? = nil

        public var failed: Bool { error != nil }
        /// The target's reload-stable locator (Pipeline/Quality/StepLocator); nil for actions without one.
        public var locator: StepLocator? = nil

        public init(url: String, observation: String, action: String, actionDescription: String, stateChange: String,
                    rationale: String, templateRationale: Bool, error: String? = nil, locator: StepLocator? = nil) {
            self.url = url
            self.observation = observation
            self.action = action
            self.actionDescription = actionDescription
            self.stateChange = stateChange
            self.rationale = rationale
            self.templateRationale = templateRationale
            self.error = error
            self.locator = locator
        }
    }

    public var episode: Int
    public var site: String
    public var persona: String
    public var depth: Int
    public var instruction: String
    /// Index in the episode of the demonstration's first step: 0, or later when a grounded label names
    /// only where the prefix ended (`GroundedInstructions.demonstration(of:in:)`). `steps` are the episode's
    /// steps `start..<depth`.
    public var start: Int { depth - steps.count }
    /// The depth of the checkpoint whose label this is: `depth`, or later when the demonstration stops
    /// where its goal was first reached (`GroundedInstructions.demonstration(of:in:)`). The stores mark
    /// that checkpoint "kept"; their demonstrations table does not keep it.
    public var labeledDepth: Int { get { labeledAt ?? depth } set { labeledAt = newValue == depth ? nil : newValue } }
    private var labeledAt: Int?
    public var judgeScore: Double?
    public var steps: [Step]
    public var finalURL: String
    public var finalObservation: String
    /// `stop [answer]`.
    public var stopAction: String
    public var stopRaw: String
    /// Whether the stop action parsed from the model (else `stop [N/A]`).
    public var stopParsed: Bool

    public init(episode: Int, site: String, persona: String, depth: Int, instruction: String, judgeScore: Double?,
                steps: [Step], finalURL: String, finalObservation: String, stopAction: String, stopRaw: String,
                stopParsed: Bool) {
        self.episode = episode
        self.site = site
        self.persona = persona
        self.depth = depth
        self.instruction = instruction
        self.judgeScore = judgeScore
        self.steps = steps
        self.finalURL = finalURL
        self.finalObservation = finalObservation
        self.stopAction = stopAction
        self.stopRaw = stopRaw
        self.stopParsed = stopParsed
    }

    /// "Let's think step-by-step. I have finished my tasks. ..." target for the final state (NNetnav's convert_to_sft).
    public var stopTarget: String { PolicyAnswerFormat.finished(stopAction: stopAction) }

    /// The stop answer inside the brackets.
    public var stopAnswer: String {
        guard let open = stopAction.firstIndex(of: "["), let close = stopAction.lastIndex(of: "]"), open < close else { return "" }
        return String(stopAction[stopAction.index(after: open)..<close])
    }
}
