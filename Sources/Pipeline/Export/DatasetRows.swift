import Foundation
import LanguageModels

/// One SFT example in the open-instruct / OpenAI chat format, one per demonstration step, as in NNetNav-6k.
public struct ChatSFTRow: Codable, Sendable, Hashable {
    public var dataset: String
    /// "<episode>:<prefix depth>:<step>".
    public var id: String
    public var messages: [ChatMessage]
}

/// One demonstration as a whole trajectory.
public struct TrajectoryRow: Codable, Sendable, Hashable {
    public struct Step: Codable, Sendable, Hashable {
        public var url: String
        public var observation: String
        public var action: String
        public var action_description: String
        public var state_change: String
        public var rationale: String
        /// The browser's error when the action failed (then `rationale` is empty and no SFT row exists).
        public var error: String?
        /// The target's reload-stable locator (Pipeline/Quality/StepLocator), for `nnetnav replay --data`.
        public var locator: StepLocator? = nil
    }
    /// "<episode>:<prefix depth>".
    public var id: String
    public var episode: Int
    public var depth: Int
    public var site: String
    public var persona: String
    public var instruction: String
    public var judge_score: Double?
    public var steps: [Step]
    public var final_url: String
    public var final_observation: String
    public var stop_action: String
    public var stop_answer: String
}
