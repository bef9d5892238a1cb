/// `string_match`: compares the agent's final answer with the reference answers.
///
/// Every reference string may hold ` |OR| ` alternatives and passes when any alternative does.
/// `exact_match` compares normalised token lists, `must_include` looks for each reference as a
/// consecutive token run, `fuzzy_match` is deterministic (see `fuzzyMatches`) unless a judge is given.
public struct StringMatch: Sendable {
    /// Decides a fuzzy reference with a model: (intent, reference, answer) -> matches.
    public typealias FuzzyJudge = @Sendable (_ intent: String, _ reference: String, _ answer: String) async throws -> Bool

    public var judge: FuzzyJudge?

    public init(judge: FuzzyJudge? = nil) { self.judge = judge }

    public func evaluate(answer: String, reference: ReferenceAnswers, intent: String = "") async -> [CheckResult] {
        var results: [CheckResult] = []
        if let exact = reference.exactMatch {
            let ok = AnswerText.alternatives(exact).contains { AnswerText.equals(answer, $0) }
            results.append(CheckResult(kind: "string_match", passed: ok,
                                       reason: ok ? "answer equals '\(exact)'" : "answer '\(answer)' is not '\(exact)'"))
        }
        for item in reference.mustInclude ?? [] {
            let ok = AnswerText.alternatives(item).contains { AnswerText.includes(answer, $0) }
            results.append(CheckResult(kind: "string_match", passed: ok,
                                       reason: ok ? "answer includes '\(item)'" : "answer '\(answer)' does not include '\(item)'"))
        }
        switch reference.fuzzyMatch {
        case .none: break
        case .notAchievable:
            let ok = Self.saysNotAchievable(answer)
            results.append(CheckResult(kind: "string_match", passed: ok,
                                       reason: ok ? "answer says the task cannot be done" : "answer '\(answer)' does not say the task cannot be done"))
        case .answers(let items):
            for item in items {
                var ok = AnswerText.alternatives(item).contains { Self.fuzzyMatches(answer, $0) }
                var how = "deterministic"
                if !ok, let judge {
                    ok = (try? await judge(intent, item, answer)) ?? false
                    how = "judge"
                }
                results.append(CheckResult(kind: "string_match", passed: ok,
                                           reason: ok ? "answer matches '\(item)' (\(how))" : "answer '\(answer)' does not match '\(item)' (\(how))"))
            }
        }
        if results.isEmpty {
            results.append(CheckResult(kind: "string_match", passed: false, reason: "no reference answers to compare with"))
        }
        return results
    }

    /// Passes when the reference is included, or when every number of the reference is in the
    /// answer and at least 3/4 of the reference's word tokens are.
    public static func fuzzyMatches(_ answer: String, _ reference: String) -> Bool {
        if AnswerText.includes(answer, reference) { return true }
        let refTokens = AnswerText.tokens(reference)
        let answerTokens = Set(AnswerText.tokens(answer))
        guard !refTokens.isEmpty else { return true }
        let refNumbers = AnswerText.numbers(reference)
        guard refNumbers.allSatisfy(answerTokens.contains) else { return false }
        let words = refTokens.filter { !stopWords.contains($0) }
        guard !words.isEmpty else { return false }
        let found = words.filter(answerTokens.contains).count
        return Double(found) / Double(words.count) >= 0.75
    }

    static let stopWords: Set<String> = ["the", "a", "an", "of", "and", "or", "to", "in", "on", "for", "is", "are", "it", "its", "with"]

    /// WebArena's unachievable tasks expect the agent to answer "N/A" or to say it cannot be done.
    public static func saysNotAchievable(_ answer: String) -> Bool {
        let n = " " + AnswerText.normalized(answer) + " "
        let phrases = ["n a", "not achievable", "not possible", "impossible", "cannot", "can t", "unable", "no such",
                       "does not exist", "doesn t exist", "not found", "not available", "unachievable"]
        return phrases.contains { n.contains(" \($0) ") }
    }
}
