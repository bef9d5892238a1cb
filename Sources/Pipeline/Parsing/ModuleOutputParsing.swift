import Foundation
import WebBrowser

/// Reading the answers of the summarizer, labeler, judge, rationalizer and stop modules.
///
/// NNetnav cut answers with `" ".join(response.split(":")[1:])`, which deletes every colon
/// (URLs, times, "Note:"), and mapped unreadable judge answers to 0 or crashed. Here an answer is
/// the text after the *last* occurrence of its tag (case-insensitive), colons intact, and a
/// failure is a value carrying the raw text so the store records it.
public enum ModuleOutputParsing {
    /// The text after the last `tag` (e.g. "Instruction:"), to the end of the response.
    /// Markdown emphasis around the tag (`**Instruction:**`) is tolerated.
    public static func tagged(_ tag: String, in response: String) -> String? {
        guard let range = response.range(of: tag, options: [.caseInsensitive, .backwards]) else { return nil }
        var rest = response[range.upperBound...]
        while let first = rest.first, first == "*" || first == " " { rest = rest.dropFirst() }
        let answer = rest.trimmingCharacters(in: .whitespacesAndNewlines)
        return answer.isEmpty ? nil : answer
    }

    // MARK: State change

    /// The summary after "State change:"; without the tag the whole response (NNetnav did the same),
    /// flagged so the store shows it.
    public static func stateChange(_ response: String) -> (summary: String, tagged: Bool) {
        if let answer = tagged("State change:", in: response) { return (singleParagraph(answer), true) }
        return (singleParagraph(response.trimmingCharacters(in: .whitespacesAndNewlines)), false)
    }

    // MARK: Labeler

    public enum Label: Sendable, Hashable {
        case instruction(String)
        case unusable(reason: String)

        public var instruction: String? { if case .instruction(let s) = self { s } else { nil } }
    }

    /// The instruction after "Instruction:", guarded against NNetnav's leaked junk
    /// ("Thought  We see multiple searches...", "n/a", empty, fenced code, runaway text).
    ///
    /// `acceptUntagged` lets a small model's answer without the tag count when one of its lines passes
    /// the same guard (the last such line); remote models keep NNetnav's strict rule.
    public static func label(_ response: String, maxWords: Int = 100, acceptUntagged: Bool = false,
                             siteInstructionsOnly: Bool = false) -> Label {
        guard let answer = tagged("Instruction:", in: response) else {
            if acceptUntagged {
                for line in response.split(whereSeparator: \.isNewline).reversed() {
                    if case .instruction(let text) = label("Instruction: " + line, maxWords: maxWords,
                                                           siteInstructionsOnly: siteInstructionsOnly) { return .instruction(text) }
                }
            }
            return .unusable(reason: "no \"Instruction:\" line")
        }
        var text = answer.split(separator: "\n").first.map(String.init) ?? answer
        text = text.trimmingCharacters(in: CharacterSet(charactersIn: " \t\"'`*<>"))
        let words = text.split(whereSeparator: \.isWhitespace)
        let lower = text.lowercased()
        if text.isEmpty { return .unusable(reason: "empty instruction") }
        if ["n/a", "na", "none", "unknown", "<your-answer>", "your-answer"].contains(lower) {
            return .unusable(reason: "instruction is \"\(text)\"")
        }
        if lower.hasPrefix("thought") { return .unusable(reason: "instruction is the model's thought") }
        if text.contains("```") || text.contains("[system]") { return .unusable(reason: "instruction contains markup") }
        if words.count < 3 { return .unusable(reason: "instruction has fewer than 3 words") }
        if words.count > maxWords { return .unusable(reason: "instruction has more than \(maxWords) words") }
        if text.filter(\.isLetter).count < text.count / 2 { return .unusable(reason: "instruction is mostly not letters") }
        // Quality hook (Pipeline/Quality/InstructionFilter): code, chat filler, questions to the user.
        if siteInstructionsOnly, let reason = InstructionFilter.rejection(text) { return .unusable(reason: "not a site instruction: \(reason)") }
        return .instruction(text)
    }

    // MARK: Judge

    public enum Score: Sendable, Hashable {
        case score(Double)
        case unparseable(reason: String)

        public var value: Double? { if case .score(let v) = self { v } else { nil } }
    }

    /// The 1-5 score: a bare choice ("4"), "Reward: 4", "Reward: 4.5", "Reward: 4/5", "**Reward:** 4"
    /// or "[output]4[output]". Anything else, or a number outside 1...5, is unparseable.
    public static func score(_ response: String) -> Score {
        let trimmed = response.trimmingCharacters(in: .whitespacesAndNewlines)
        var candidate: Substring?
        if let answer = tagged("Reward:", in: trimmed) {
            candidate = answer[...]
        } else if let open = trimmed.range(of: "[output]", options: .caseInsensitive) {
            candidate = trimmed[open.upperBound...]
        } else if trimmed.count <= 4 {
            candidate = trimmed[...]
        }
        guard let candidate else { return .unparseable(reason: "no \"Reward:\" line") }
        let number = candidate.drop(while: { !$0.isNumber }).prefix(while: { $0.isNumber || $0 == "." })
        guard let value = Double(number.hasSuffix(".") ? number.dropLast() : number) else {
            return .unparseable(reason: "no number after \"Reward:\"")
        }
        guard (1...5).contains(value) else { return .unparseable(reason: "score \(value) is outside 1-5") }
        return .score(value)
    }

    // MARK: Rationalizer

    public enum Rationale: Sendable, Hashable {
        case matches(String)
        case rejected(reason: String)
    }

    /// The reasoning after "Output:", accepted only when its fenced action is the executed one.
    /// The accepted text is cut after the action's closing fence, so the target ends in the action.
    public static func rationale(_ response: String, executed: BrowserAction) -> Rationale {
        let body = tagged("Output:", in: response) ?? response.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let span = ActionParser.firstFencedSpan(in: body) else {
            return .rejected(reason: "no ``` fenced action")
        }
        let named = ActionParser.parse(action: span)
        guard sameAction(named, executed) else {
            return .rejected(reason: "names \"\(span)\" instead of the executed \"\(executed)\"")
        }
        // The reasoning before the first fence, rewritten into the one answer shape the student
        // prompt asks for, ending in the executed action in canonical form.
        let open = body.range(of: "```")!
        var reasoning = body[..<open.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
        if reasoning.hasPrefix(PolicyAnswerFormat.opening) { reasoning.removeFirst(PolicyAnswerFormat.opening.count) }
        if let phrase = reasoning.range(of: PolicyAnswerFormat.actionPhrase, options: [.backwards, .caseInsensitive]),
           reasoning[phrase.upperBound...].trimmingCharacters(in: .whitespaces.union(.punctuationCharacters)).isEmpty {
            reasoning = String(reasoning[..<phrase.lowerBound])
        }
        return .matches(PolicyAnswerFormat.answer(reasoning: reasoning, action: executed))
    }

    /// Actions are the same when they parse to equal values; `type` compares text and target only
    /// (the Enter flag is often omitted and defaults to pressing Enter).
    public static func sameAction(_ a: BrowserAction, _ b: BrowserAction) -> Bool {
        if a == b { return true }
        if case .type(let ia, let ta, _) = a, case .type(let ib, let tb, _) = b { return ia == ib && ta == tb }
        return false
    }

    // MARK: Stop action

    /// The stop action in the first fenced span; anything else becomes `stop [N/A]`, reported.
    public static func stopAction(_ response: String) -> (action: BrowserAction, parsed: Bool) {
        if let span = ActionParser.firstFencedSpan(in: response), case .stop(let answer) = ActionParser.parse(action: span) {
            return (.stop(answer: answer.trimmingCharacters(in: .whitespaces)), true)
        }
        return (.stop(answer: "N/A"), false)
    }

    public static func singleParagraph(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
    }
}
