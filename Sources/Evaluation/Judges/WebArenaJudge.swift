import Foundation
import LanguageModels
import NNetnavSupport
import WebTasks

/// WebArena's language-model judges for `string_match`: `fuzzy_match` (is the answer semantically
/// the reference?) and the unachievable-task reason (is the agent's reason the real one?), with
/// WebArena's prompts (`prompts/judges/`), temperature 0, 768 answer tokens, as WebArena called GPT-4.
public struct WebArenaJudge: Sendable {
    public enum Error: Swift.Error, CustomStringConvertible, Sendable, Equatable {
        case unreadableVerdict(judge: String, answer: String)
        case missingPrompt(String)

        public var description: String {
            switch self {
            case .unreadableVerdict(let j, let a):
                return "the \(j) judge's answer names no verdict: '\(a.prefix(300))'"
            case .missingPrompt(let p): return "judge prompt not found: \(p)"
            }
        }
    }

    public let model: any ChatModel
    let fuzzyPrompt: String
    let unachievablePrompt: String

    public init(model: any ChatModel, layout: ProjectLayout = .current) throws {
        self.model = model
        fuzzyPrompt = try Self.prompt("webarena_fuzzy_match.txt", layout: layout)
        unachievablePrompt = try Self.prompt("webarena_unachievable.txt", layout: layout)
    }

    static func prompt(_ name: String, layout: ProjectLayout) throws -> String {
        let file = layout.prompts.appendingPathComponent("judges").appendingPathComponent(name)
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { throw Error.missingPrompt(file.path) }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func fill(_ template: String, question: String, reference: String, answer: String) -> String {
        template.replacingOccurrences(of: "{question}", with: question)
            .replacingOccurrences(of: "{reference}", with: reference)
            .replacingOccurrences(of: "{answer}", with: answer)
    }

    private func ask(_ user: String) async throws -> String {
        let request = ChatRequest(messages: [.system("You are a helpful assistant"), .user(user)],
                                  options: GenerationOptions(temperature: 0, topP: 1, maxTokens: 768))
        return try await model.complete(request).text
    }

    /// `fuzzy_match`: true for "correct", false for "incorrect" or "partially correct".
    public func fuzzyMatch(intent: String, reference: String, answer: String) async throws -> Bool {
        let text = try await ask(Self.fill(fuzzyPrompt, question: intent, reference: reference, answer: answer))
        return try Self.fuzzyVerdict(text)
    }

    /// The unachievable reason: true for "same", false for "different".
    public func sameUnachievableReason(intent: String, actualReason: String, answer: String) async throws -> Bool {
        let text = try await ask(Self.fill(unachievablePrompt, question: intent, reference: actualReason, answer: answer))
        return try Self.unachievableVerdict(text)
    }

    /// WebArena's reading ("partially correct" or "incorrect" anywhere fails, else "correct" passes),
    /// except that an answer with none of them is an error instead of a crashed `assert`.
    static func fuzzyVerdict(_ answer: String) throws -> Bool {
        let lower = answer.lowercased()
        if lower.contains("partially correct") || lower.contains("incorrect") { return false }
        if lower.contains("correct") { return true }
        throw Error.unreadableVerdict(judge: "fuzzy_match", answer: answer)
    }

    static func unachievableVerdict(_ answer: String) throws -> Bool {
        let lower = answer.lowercased()
        if lower.contains("different") { return false }
        if lower.contains("same") { return true }
        throw Error.unreadableVerdict(judge: "unachievable reason", answer: answer)
    }

    /// A task evaluator whose `string_match` asks this judge.
    public func evaluator(shoppingAPI: (any WebArenaShoppingAPI)? = nil) -> TaskEvaluator {
        let judge = self
        return TaskEvaluator(fuzzyJudge: { intent, reference, answer in
            try await judge.fuzzyMatch(intent: intent, reference: reference, answer: answer)
        }, unachievableJudge: { intent, reason, answer in
            try await judge.sameUnachievableReason(intent: intent, actualReason: reason, answer: answer)
        }, shoppingAPI: shoppingAPI)
    }
}
