import Foundation
import WebBrowser

/// What a templated answer says between "Let's think step-by-step." and the fenced action, wherever
/// no model wrote the reasoning: the scripted solutions' training targets and the candidates a choice
/// decoder scores. One definition for both, so a trained policy scores what it learned.
///
/// `empty` says nothing, so every click candidate differs only in an id number, which a 135M student
/// must tie to its element through the page text by itself. `element` names the element acted on —
/// "I will click the link 'Home & Kitchen'." — as NNetnav's own rationales do, so the words of the
/// objective and of the element meet inside the scored answer.
public enum AnswerReasoning: String, Codable, Sendable, CaseIterable {
    case empty
    case element

    /// The reasoning for `action` on a page whose observation text is `observation`; "" when the
    /// action names no element of it, or with `empty`.
    public func text(for action: BrowserAction, observation: String) -> String {
        guard self == .element else { return "" }
        return Self.elementSentence(for: action, elements: CandidateActions.elements(in: observation))
    }

    /// The sentence for every action of one page, parsing its elements once.
    public func texts(for actions: [BrowserAction], observation: String) -> [String] {
        guard self == .element else { return actions.map { _ in "" } }
        let elements = CandidateActions.elements(in: observation)
        return actions.map { Self.elementSentence(for: $0, elements: elements) }
    }

    static func elementSentence(for action: BrowserAction, elements: [CandidateActions.Element]) -> String {
        func named(_ id: Int) -> String? {
            guard let element = elements.first(where: { $0.id == id }) else { return nil }
            // Backticks would end the answer's action fence early.
            let name = element.name.split(whereSeparator: \.isWhitespace).joined(separator: " ").replacingOccurrences(of: "`", with: "'")
            return name.isEmpty ? "the \(element.role) [\(id)]" : "the \(element.role) '\(name.prefix(80))'"
        }
        switch action {
        case .click(let id): return named(id).map { "I will click \($0)." } ?? ""
        case .hover(let id): return named(id).map { "I will hover over \($0)." } ?? ""
        case .type(let id, let text, _): return named(id).map { "I will type \"\(text)\" into \($0)." } ?? ""
        case .selectOption(let id, let value): return named(id).map { "I will select \"\(value)\" in \($0)." } ?? ""
        default: return ""
        }
    }
}
