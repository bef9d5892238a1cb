import Foundation
import LanguageModels
import Pipeline
import WebSites
import WebTasks

/// Not a model: the oracle demonstrator. It answers the student prompt by following each task's
/// scripted solution (`tasks.json`), reading element ids off the observation text the policy is
/// shown, as a perfect agent would; when the element is not in the visible window it scrolls down.
///
/// Two uses, both labeled as what they are: the learning experiment's **oracle** arm (the ceiling:
/// the student trained on scripted solutions of *training-split* tasks), and tests that need a
/// policy certain to succeed. Its identifier says "oracle", so no report mistakes it for a model.
public final class ScriptedSolutionOracle: ChatModel, @unchecked Sendable {
    public let identifier = "oracle:scripted-solutions"
    private let solutions: [String: [SolutionStep]]
    private var cursor: [String: Int] = [:]
    private let lock = NSLock()
    /// Replaces every stop answer when set (to check that wrong answers fail).
    let forcedAnswer: String?

    /// Tasks are told apart by their intent, the only thing of the task the prompt shows; tasks
    /// sharing an intent follow the first one's solution. URL placeholders (`__WIKI__`) become the
    /// sites' canonical names, which is what the policy sees and writes.
    public init(tasks: [TaskConfig], forcedAnswer: String? = nil) {
        let canonical = Dictionary(uniqueKeysWithValues: SiteName.allCases.map {
            ($0.urlPlaceholder, SiteURLMap.canonicalBase(site: $0.rawValue))
        })
        solutions = Dictionary(tasks.map { ($0.intent, $0.substituting(canonical).solution) }, uniquingKeysWith: { a, _ in a })
        self.forcedAnswer = forcedAnswer
    }

    public func complete(_ request: ChatRequest) async throws -> ChatResponse {
        let user = request.messages.last?.content ?? ""
        let objective = Self.field("OBJECTIVE:", in: user)
        let observation = user.components(separatedBy: "\nURL: ").first ?? user
        guard let steps = solutions[objective] else { return ChatResponse(text: "I do not know this task.") }
        let index = lock.withLock { cursor[objective, default: 0] }
        guard index < steps.count else { return Self.answer("stop [done]") }
        let (action, consumed) = Self.action(for: steps[index], observation: observation, forcedAnswer: forcedAnswer)
        if consumed { lock.withLock { cursor[objective] = index + 1 } }
        return Self.answer(action)
    }

    public static func answer(_ action: String) -> ChatResponse {
        ChatResponse(text: PolicyAnswerFormat.answer(reasoning: "", actionText: action))
    }

    public static func field(_ name: String, in text: String) -> String {
        guard let range = text.range(of: name) else { return "" }
        return text[range.upperBound...].prefix(while: { $0 != "\n" }).trimmingCharacters(in: .whitespaces)
    }

    /// The grammar action for a solution step; `consumed` is false when it had to scroll first.
    static func action(for step: SolutionStep, observation: String, forcedAnswer: String?) -> (String, Bool) {
        func locate(_ locator: ElementLocator) -> Int? {
            let elements = CandidateActions.elements(in: observation)
                .filter { locator.role == nil || $0.role == locator.role!.lowercased() }
            let exact = elements.filter { $0.name == locator.name }
            let loose = elements.filter { $0.name.lowercased().contains(locator.name.lowercased()) }
            let matches = exact.isEmpty ? loose : exact
            let i = locator.index ?? 0
            return i < matches.count ? matches[i].id : nil
        }
        switch step {
        case .goto(let url): return ("goto [\(url)]", true)
        case .back: return ("go_back", true)
        case .stop(let answer): return ("stop [\(forcedAnswer ?? answer)]", true)
        case .click(let l):
            guard let id = locate(l) else { return ("scroll [down]", false) }
            return ("click [\(id)]", true)
        case .type(let l, let text, let enter):
            guard let id = locate(l) else { return ("scroll [down]", false) }
            return ("type [\(id)] [\(text)] [\(enter ? 1 : 0)]", true)
        case .select(let l, let value):
            guard let id = locate(l) else { return ("scroll [down]", false) }
            return ("select_option [\(id)] [\(value)]", true)
        }
    }
}
