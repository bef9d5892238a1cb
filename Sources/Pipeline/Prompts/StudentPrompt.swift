import Foundation
import LanguageModels
import WebBrowser

/// The trained policy's prompt (`student_policy.txt`): the one renderer behind every exported SFT
/// row and every evaluation step, so the policy is evaluated on exactly the prompt it was trained on.
///
/// A row must fit `maxSequenceTokens` of the student's tokenizer (the trainer's sequence length):
/// the page is truncated to what is left after the system prompt, the rest of the user turn, the
/// chat template's markup and `maxAnswerTokens` for the answer. The budget does not depend on the
/// answer, so evaluation (which has no answer yet) renders the same prompt; only a training target
/// longer than `maxAnswerTokens` takes more room from its page.
public struct StudentPrompt: Sendable {
    public var template: PromptTemplate
    /// The whole chat (system, user, answer, template markup) in tokens: the trainer's sequence length.
    public var maxSequenceTokens: Int
    /// Room kept for the answer: the evaluated policy's generation limit.
    public var maxAnswerTokens: Int
    public var tokens: TokenCounter
    /// Chat-template markup of a three-turn chat (ChatML: `<|im_start|>role\n` … `<|im_end|>\n`),
    /// with margin for tokens merging differently across message boundaries.
    public static let templateOverheadTokens = 32
    /// A page gets at least this many tokens, or the step is not rendered.
    public static let minimumPageTokens = 64
    /// PREVIOUS ACTIONS gets at most this many tokens; the oldest actions give way first.
    public var maxHistoryTokens = 96
    /// What the viewport leaves for the objective and the URL, which vary by task and step.
    public var taskTokens = 64

    public init(template: PromptTemplate, maxSequenceTokens: Int = 4096, maxAnswerTokens: Int = 384,
                tokens: TokenCounter = .utf8Bytes) {
        self.template = template
        self.maxSequenceTokens = maxSequenceTokens
        self.maxAnswerTokens = maxAnswerTokens
        self.tokens = tokens
    }

    /// One state of an episode as the student sees it.
    public struct Step: Sendable, Hashable {
        public var observation: String
        public var url: String
        public var objective: String
        /// WebArena descriptions of the actions taken so far, oldest first.
        public var previousActions: [String]

        public init(observation: String, url: String, objective: String, previousActions: [String]) {
            self.observation = observation
            self.url = url
            self.objective = objective
            self.previousActions = previousActions
        }
    }

    /// PREVIOUS ACTIONS as NNetnav writes it: "1: None" then one numbered line per action.
    public static func history(_ previousActions: [String]) -> String {
        (["None"] + previousActions).enumerated().map { "\($0.offset + 1): \($0.element)" }.joined(separator: "\n")
    }

    /// The history with its `omitted` oldest actions left out: their numbers are skipped and one line says so.
    static func history(_ kept: [String], omitted: Int) -> String {
        guard omitted > 0 else { return history(kept) }
        return "1: None\n(\(omitted) earlier action\(omitted == 1 ? "" : "s") omitted)\n"
            + kept.enumerated().map { "\($0.offset + 2 + omitted): \($0.element)" }.joined(separator: "\n")
    }

    /// System and user messages for `step`, leaving `answerTokens` (at least `maxAnswerTokens`) free;
    /// nil when not even `minimumPageTokens` of page fit.
    public func messages(for step: Step, answerTokens: Int = 0) -> [ChatMessage]? {
        // A long episode's history would crowd out the page: the oldest actions give way first, until
        // the history fits `maxHistoryTokens` (what `viewportBudget` reserves for it) and the page its minimum.
        var kept = step.previousActions
        var values: [String: String] = [:]
        var system = "", pageBudget = 0
        while true {
            values = ["observation": "", "url": step.url, "objective": step.objective,
                      "previous_actions": Self.history(kept, omitted: step.previousActions.count - kept.count)]
            system = PromptTemplate.fill(template.system, values)
            let fixed = tokens.count(system) + tokens.count(PromptTemplate.fill(template.user, values))
                + Self.templateOverheadTokens + max(answerTokens, maxAnswerTokens)
            pageBudget = maxSequenceTokens - fixed
            let historyTokens = tokens.count(values["previous_actions"]!)
            guard !kept.isEmpty, pageBudget < Self.minimumPageTokens || historyTokens > maxHistoryTokens else { break }
            kept.removeFirst()
        }
        guard pageBudget >= Self.minimumPageTokens else { return nil }
        values["observation"] = TextMeasures.truncate(step.observation, maxTokens: pageBudget, counter: tokens)
        return [.system(system), .user(PromptTemplate.fill(template.user, values))]
    }

    /// What every row spends before objective, URL, history and page: the system message, the user
    /// template's own words, the chat markup and the answer's room.
    public var fixedTokens: Int {
        let empty = ["observation": "", "url": "", "objective": "", "previous_actions": ""]
        return tokens.count(PromptTemplate.fill(template.system, empty)) + tokens.count(PromptTemplate.fill(template.user, empty))
            + Self.templateOverheadTokens + maxAnswerTokens
    }

    /// The page's share of a row when the objective and URL take `taskTokens` and the history
    /// `maxHistoryTokens`: the browser's viewport, so that every window is shown whole (a longer
    /// objective or target still truncates the page, and the exporter drops rows that lose their target).
    public var viewportBudget: ViewportBudget {
        let fixed = fixedTokens + maxHistoryTokens + taskTokens
        let counter = tokens
        return ViewportBudget(limit: max(Self.minimumPageTokens, maxSequenceTokens - fixed), unit: "\(tokens.name) tokens") {
            counter.count($0)
        }
    }

    /// The prompt of an SFT row whose answer is `target`, or nil when the target leaves no room for the page.
    public func messages(for step: Step, target: String) -> [ChatMessage]? {
        messages(for: step, answerTokens: tokens.count(target))
    }
}
