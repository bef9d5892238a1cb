import Foundation
import WebBrowser

/// When an evaluated policy is given up on before its step limit: WebArena's `early_stop`
/// (`--parsing_failure_th 3`, `--repeating_action_failure_th 3`), which NNetnav's evaluation runs.
/// A policy that names no action three times running, or repeats one action three times, will
/// not recover; letting it use the rest of a 20- or 30-step budget only costs model calls
/// (a MiniWoB++ episode of the embedded policy clicking `Search` 30 times took 4 minutes).
///
/// Scrolls are the exception, as in NNetnav's own repeat rule: reaching an element may take
/// several `scroll [down]`; a scroll counts as a repetition only when it left the page unchanged.
public struct EarlyStop: Sendable, Codable, Hashable {
    /// Consecutive unparseable actions that end the episode (0: never).
    public var parsingFailures: Int
    /// Identical consecutive actions (a `type` anywhere in the episode) that end it (0: never).
    public var repeatedActions: Int

    public static let webArena = EarlyStop(parsingFailures: 3, repeatedActions: 3)
    public static let never = EarlyStop(parsingFailures: 0, repeatedActions: 0)

    public init(parsingFailures: Int, repeatedActions: Int) {
        self.parsingFailures = parsingFailures
        self.repeatedActions = repeatedActions
    }

    /// One executed step as the rule sees it.
    public struct Taken: Sendable, Hashable {
        public var action: BrowserAction
        /// The observation after the action equals the one before it.
        public var pageUnchanged: Bool

        public init(action: BrowserAction, pageUnchanged: Bool) {
            self.action = action
            self.pageUnchanged = pageUnchanged
        }
    }

    /// Why the episode ends after `steps`, or nil to go on.
    public func reason(after steps: [Taken]) -> String? {
        guard let last = steps.last else { return nil }
        let k = parsingFailures
        if k > 0, steps.count >= k, steps.suffix(k).allSatisfy({ !$0.action.isValid }) {
            return "no parseable action \(k) times in a row"
        }
        let n = repeatedActions
        guard n > 0, last.action.isValid else { return nil }
        switch last.action {
        case .type:
            // WebArena counts the same typing anywhere: typing it again never changes the outcome.
            if steps.filter({ $0.action == last.action }).count >= n {
                return "typed the same text into the same field \(n) times: \(last.action)"
            }
        case .scroll:
            if steps.count >= n, steps.suffix(n).allSatisfy({ $0.action == last.action && $0.pageUnchanged }) {
                return "scrolled \(n) times without the page changing"
            }
        default:
            if steps.count >= n, steps.suffix(n).allSatisfy({ $0.action == last.action }) {
                return "the same action \(n) times in a row: \(last.action)"
            }
        }
        return nil
    }
}
