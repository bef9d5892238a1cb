import Foundation
import LanguageModels

/// How the evaluated policy turns a prompt into an action.
public enum PolicyDecoding: String, Codable, Sendable, CaseIterable {
    /// A free-form answer (reasoning, then the fenced action); when it names no valid action and
    /// the agent's fallback is on, the page's valid actions are offered as choices. What a large
    /// remote model needs.
    case free
    /// Only the choice: the page's valid actions, each as a whole answer in the trained format, are
    /// scored and the most likely taken. One scoring call per step instead of a generation that a
    /// 135M model mostly fails to parse and then a choice anyway; the measured per-step cost of
    /// the embedded policy is the reason (see README, "Evaluation at scale").
    case choice
    /// The policy writes its reasoning as its training targets do (greedy, up to "In summary, the next
    /// action I will perform is"), then the page's valid actions are scored as the end of that answer
    /// and the most likely is taken. Every step acts, as with `choice`, but the choice is read after the
    /// reasoning the demonstrations taught, not from answers with no reasoning, a shape only the stop
    /// targets have (under `choice` a student trained on reasoned steps prefers whatever stop answer
    /// is most frequent in its data). One generation and one scoring call per step.
    case reasoned

    /// `choice` for a model running in this process, `free` for a server.
    public static func automatic(for spec: ChatModelSpec) -> PolicyDecoding {
        if case .local = spec { return .choice }
        return .free
    }
}
