import Foundation
import LanguageModels
import Pipeline
import WebBrowser

/// The trained agent's prompt, rendered exactly as `DatasetExporter` renders SFT rows, so the
/// policy sees at evaluation time what it was trained on.
public struct StudentPrompt: Sendable {
    public var template: PromptTemplate
    /// Budget for the page text; the rest of the prompt is small.
    public var maxObservationTokens: Int

    public init(template: PromptTemplate, maxObservationTokens: Int = 1536) {
        self.template = template
        self.maxObservationTokens = maxObservationTokens
    }

    /// `previousActions` are WebArena action descriptions of the steps taken so far.
    public func messages(observation: Observation, objective: String, previousActions: [String]) -> [ChatMessage] {
        let history = (["None"] + previousActions).enumerated().map { "\($0.offset + 1): \($0.element)" }
            .joined(separator: "\n")
        return template.messages([
            "observation": TextMeasures.truncate(observation.text, maxTokens: maxObservationTokens),
            "url": observation.url,
            "objective": objective,
            "previous_actions": history,
        ])
    }
}
