import Foundation
import WebBrowser

/// The policy's answer sentence, NNetnav's "Let's think step-by-step. … In summary, the next action
/// I will perform is ```action```": the one definition behind every training target, the template
/// rationale, the stop target and the evaluated policy's constrained choices. `student_policy.txt`
/// asks for exactly this shape (a test holds them together).
public enum PolicyAnswerFormat {
    public static let opening = "Let's think step-by-step."
    public static let actionPhrase = "In summary, the next action I will perform is"

    /// A full answer: the opening, the reasoning (if any) and the fenced action.
    public static func answer(reasoning: String = "", action: BrowserAction) -> String {
        answer(reasoning: reasoning, actionText: action.description)
    }

    public static func answer(reasoning: String, actionText: String) -> String {
        let middle = reasoning.trimmingCharacters(in: .whitespacesAndNewlines)
        return opening + (middle.isEmpty ? " " : " \(middle) ") + "\(actionPhrase) ```\(actionText)```"
    }

    /// The reasoning of a (possibly partial) answer: what follows the opening, up to the action phrase
    /// or a fenced action, whichever comes first. "" when the answer reasons about nothing.
    public static func reasoning(in text: String) -> String {
        var body = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
        if body.hasPrefix(opening) { body = body.dropFirst(opening.count) }
        for end in [actionPhrase, "```"] {
            if let range = body.range(of: end) { body = body[..<range.lowerBound] }
        }
        return body.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The target of a demonstration's final state (NNetnav's convert_to_sft with --add_stop_action).
    public static func finished(stopAction: String) -> String {
        answer(reasoning: "I have finished my tasks.", actionText: stopAction)
    }

    /// What a choice decoder offers for `action`: the shape of its training target, so a trained policy
    /// scores what it learned (a stop follows "I have finished my tasks.", as every stop target does).
    public static func choice(for action: BrowserAction, reasoning: String = "") -> String {
        if case .stop = action { return finished(stopAction: action.description) }
        return answer(reasoning: reasoning, action: action)
    }

    /// The choices for every candidate of one page, with `reasoning`'s templated sentence.
    public static func choices(for actions: [BrowserAction], reasoning: AnswerReasoning, observation: String) -> [String] {
        zip(actions, reasoning.texts(for: actions, observation: observation)).map { choice(for: $0, reasoning: $1) }
    }

    /// Whether `text` has the shape: it opens with the opening and ends in the phrase and one fenced action.
    public static func conforms(_ text: String) -> Bool {
        guard text.hasPrefix(opening), text.hasSuffix("```"),
              let phrase = text.range(of: actionPhrase + " ```", options: .backwards) else { return false }
        let action = text[phrase.upperBound...].dropLast(3)
        return !action.isEmpty && !action.contains("```") && ActionParser.parse(action: String(action)).isValid
    }
}
