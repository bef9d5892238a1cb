import Foundation
import WebBrowser

/// Whether a policy's action is the reference solution's at the same state: Mind2Web's step
/// success (same operation on the same element with the same value), on the WebArena grammar.
/// Finer than task success, which needs every step right: a policy that learned half of what a
/// demonstration shows scores near 0% on tasks but near 50% here.
public enum ReferenceAgreement {
    /// Same verb and target; typed text, selected value and stop answer compared case- and
    /// whitespace-insensitively; whether typing presses Enter is ignored (the candidates always do,
    /// the scripted solutions click the button instead, and both submit).
    public static func agrees(_ action: BrowserAction, _ reference: BrowserAction) -> Bool {
        switch (action, reference) {
        case let (.type(a, x, _), .type(b, y, _)): return a == b && normalized(x) == normalized(y)
        case let (.selectOption(a, x), .selectOption(b, y)): return a == b && normalized(x) == normalized(y)
        case let (.stop(x), .stop(y)): return normalized(x) == normalized(y)
        case let (.goto(x), .goto(y)): return x.trimmingCharacters(in: CharacterSet(charactersIn: "/ ")) == y.trimmingCharacters(in: CharacterSet(charactersIn: "/ "))
        case (.invalid, _), (_, .invalid): return false
        default: return action == reference
        }
    }

    /// Whether `reference` is among `candidates` in the sense of `agrees`: the steps a choice
    /// decoder could match at all.
    public static func isOffered(_ reference: BrowserAction, among candidates: [BrowserAction]) -> Bool {
        candidates.contains { agrees($0, reference) }
    }

    /// The log of the probability a choice over `candidates` with log-likelihoods `scores` gives
    /// `reference` (every candidate that agrees with it counts): log Σ_agreeing e^s − log Σ_all e^s.
    /// Nil when the scores do not cover the candidates or the reference is not among them.
    /// `withinVerb`: the same among the candidates with the reference's verb only, log P(reference | its
    /// verb) — which element (and value), with the choice of operation factored out.
    public static func logProbability(of reference: BrowserAction, among candidates: [BrowserAction], scores: [Double]?,
                                      withinVerb: Bool = false) -> Double? {
        guard let scores, scores.count == candidates.count else { return nil }
        let all = candidates.indices.filter { scores[$0].isFinite && (!withinVerb || candidates[$0].verb == reference.verb) }
        let agreeing = all.filter { agrees(candidates[$0], reference) }
        guard !agreeing.isEmpty else { return nil }
        return logSumExp(agreeing.map { scores[$0] }) - logSumExp(all.map { scores[$0] })
    }

    static func logSumExp(_ values: [Double]) -> Double {
        guard let m = values.max(), m.isFinite else { return -.infinity }
        return m + log(values.reduce(0) { $0 + exp($1 - m) })
    }

    static func normalized(_ text: String) -> String {
        text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
