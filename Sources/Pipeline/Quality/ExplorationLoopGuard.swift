import Foundation
import WebBrowser

/// Keeps exploration out of loops. NNetnav's repeat rule only sees identical consecutive actions, so
/// an episode that clicks "Postmill", "Forums", "Postmill", "Forums"... (issue 15 §0) runs to its limit
/// and its labels describe nothing. Here a period-2 oscillation counts as repetition, and the
/// constrained re-ask is offered actions that lead somewhere new before ones that revisit.
public enum ExplorationLoopGuard {
    /// The target of a described action without its id: "link 'Forums'" for
    /// "click [15] where [15] is link 'Forums'"; the whole description when it names no element.
    public static func target(of description: String) -> String {
        guard let range = description.range(of: " is ", options: .backwards),
              description.range(of: "where [") != nil else {
            return description
        }
        let verb = description.split(separator: " ").first.map(String.init) ?? ""
        return verb + " " + description[range.upperBound...]
    }

    /// True when the last `2 * cycles` actions alternate between two targets (A-B-A-B), or the
    /// pages visited over the last `2 * cycles` actions alternate between two URLs. Scrolling is exempt.
    public static func isOscillating(_ steps: [ExploredStep], finalURL: String? = nil, cycles: Int = 2) -> Bool {
        let n = 2 * cycles
        guard cycles > 0, steps.count >= n else { return false }
        let recent = steps.suffix(n)
        if recent.contains(where: { ($0.action ?? "").hasPrefix("scroll") }) { return false }
        let targets = recent.map { target(of: $0.actionDescription ?? $0.action ?? "") }
        if alternates(targets) { return true }
        // Pages: the page of each recent action, then where the last one led.
        var urls = recent.map(\.url)
        if let finalURL { urls.append(finalURL) }
        return urls.count > n && alternates(Array(urls.suffix(n + 1)))
    }

    /// x, y, x, y, ... with x != y.
    static func alternates(_ values: [String]) -> Bool {
        guard values.count >= 4, values[0] != values[1] else { return false }
        return values.indices.allSatisfy { values[$0] == values[$0 % 2] }
    }

    /// The candidates that do not revisit: targets already acted on in this episode and `go_back` are
    /// dropped while at least `minimum` other candidates remain (then the model still has a choice).
    /// `describe` is the environment's action2str on the current page.
    public static func preferUnseen(_ candidates: [BrowserAction], history: [ExploredStep], minimum: Int = 2,
                                    describe: (BrowserAction) -> String) -> [BrowserAction] {
        let used = Set(history.map { target(of: $0.actionDescription ?? $0.action ?? "") })
        let fresh = candidates.filter { action in
            if case .goBack = action { return false }
            return !used.contains(target(of: describe(action)))
        }
        return fresh.count >= minimum ? fresh : candidates
    }
}
