/// `string_match`: compares the agent's final answer with the reference answers.
///
/// Every reference string may hold ` |OR| ` alternatives and passes when any alternative does.
/// `exact_match` compares normalised token lists, `must_include` looks for each reference as a
/// consecutive token run, `fuzzy_match` is deterministic (see `fuzzyMatches`); with a judge, an answer the
/// deterministic test does not accept goes to the judge (WebArena's LM grader).
///
/// WebArena's evaluator bugs kept fixed here: `exact_match` and `fuzzy_match` honour ` |OR| ` too;
/// "0" does not match inside "10" but "$0.00" matches "0"; an unachievable task's answer that is not
/// literally "N/A" goes to the unachievable-reason judge without throwing away the other checks'
/// verdicts (WebArena overwrote the running score); a judge whose answer cannot be read fails the
/// check with the answer in the reason instead of crashing the run (WebArena `assert`ed).
public struct StringMatch: Sendable {
    /// Decides a fuzzy reference with a model: (intent, reference, answer) -> matches.
    public typealias FuzzyJudge = @Sendable (_ intent: String, _ reference: String, _ answer: String) async throws -> Bool
    /// Decides whether the reason an agent gave for not doing a task is the task's real reason
    /// (`string_note`): (intent, actual reason, reported answer) -> same.
    public typealias UnachievableJudge = @Sendable (_ intent: String, _ actualReason: String, _ answer: String) async throws -> Bool

    public var judge: FuzzyJudge?
    public var unachievableJudge: UnachievableJudge?

    public init(judge: FuzzyJudge? = nil, unachievableJudge: UnachievableJudge? = nil) {
        self.judge = judge
        self.unachievableJudge = unachievableJudge
    }

    public func evaluate(answer: String, reference: ReferenceAnswers, intent: String = "", stringNote: String? = nil) async -> [CheckResult] {
        var results: [CheckResult] = []
        if let exact = reference.exactMatch {
            let ok = AnswerText.alternatives(exact).contains { AnswerText.equals(answer, $0) }
            results.append(CheckResult(kind: "string_match", passed: ok,
                                       reason: ok ? "answer equals '\(exact)'" : "answer '\(answer)' is not '\(exact)'",
                                       expected: "exactly: \(exact)", actual: answer))
        }
        for item in reference.mustInclude ?? [] {
            let ok = AnswerText.alternatives(item).contains { AnswerText.includes(answer, $0) }
            results.append(CheckResult(kind: "string_match", passed: ok,
                                       reason: ok ? "answer includes '\(item)'" : "answer '\(answer)' does not include '\(item)'",
                                       expected: "includes: \(item)", actual: answer))
        }
        switch reference.fuzzyMatch {
        case .none: break
        case .notAchievable:
            let literal = AnswerText.normalized(answer) == "n a"
            if !literal, let unachievableJudge, let note = stringNote, !note.isEmpty {
                do {
                    let ok = try await unachievableJudge(intent, note, answer)
                    results.append(CheckResult(kind: "string_match", passed: ok,
                                               reason: ok ? "judge: the answer gives the real reason ('\(note)')"
                                                   : "judge: answer '\(answer)' does not give the real reason ('\(note)')",
                                               expected: "the task cannot be done because: \(note)", actual: answer))
                } catch {
                    results.append(CheckResult(kind: "string_match", passed: false, reason: "unachievable judge failed: \(error)"))
                }
                break
            }
            let ok = literal || Self.saysNotAchievable(answer)
            results.append(CheckResult(kind: "string_match", passed: ok,
                                       reason: ok ? "answer says the task cannot be done" : "answer '\(answer)' does not say the task cannot be done",
                                       expected: "N/A (the task cannot be done)", actual: answer))
        case .answers(let items):
            for item in items {
                var ok = AnswerText.alternatives(item).contains { Self.fuzzyMatches(answer, $0) }
                var how = "deterministic"
                if !ok, let judge {
                    how = "judge"
                    do {
                        ok = try await judge(intent, item, answer)
                    } catch {
                        results.append(CheckResult(kind: "string_match", passed: false, reason: "fuzzy judge failed on '\(item)': \(error)"))
                        continue
                    }
                }
                results.append(CheckResult(kind: "string_match", passed: ok,
                                           reason: ok ? "answer matches '\(item)' (\(how))" : "answer '\(answer)' does not match '\(item)' (\(how))",
                                           expected: "matches: \(item)", actual: answer))
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
