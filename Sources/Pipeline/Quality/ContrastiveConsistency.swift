import Foundation
import LanguageModels

/// Instruction-trajectory agreement a small model measures reliably: how much more likely the model
/// finds the instruction after *this* trajectory than after trajectories that did something else.
///
/// A 135M judge asked "does this trajectory accomplish this instruction? 1-5" answers 4 or 5 for
/// anything, because it reads the instruction's own fluency. A likelihood ratio cancels that: code,
/// filler and off-topic prose are about as likely after any trajectory (ratio near 0), while an
/// instruction that names the pages the trajectory reached gains from seeing it. The score is a
/// pointwise mutual information, in nats per instruction token:
///
///     (log p(instruction | trajectory) - max_c log p(instruction | contrast c)) / tokens(instruction)
///
/// with contrasts: no trajectory at all, and fixed trajectories on other kinds of site. It needs a
/// backend that scores `choices` (the in-process engine does); others return nil and are not gated.
public struct ContrastiveConsistency: Sendable {
    /// The instruction is kept when its score is at least this.
    public var margin: Double

    public init(margin: Double = ContrastiveConsistency.defaultMargin) { self.margin = margin }

    /// Calibrated on SmolLM2-135M crawls of the bundled sites (see the quality helper's report).
    public static let defaultMargin = 0.05

    /// Trajectories that accomplish other things, so a generic instruction gains nothing from the real one.
    public static let contrastTrajectories: [[String]] = [
        [],
        ["The page changed from the repository list to the merge requests of the project, sorted by date.",
         "A new merge request form was opened and its title field was filled in."],
        ["The page changed to an encyclopedia article about the history of a river and its dams.",
         "The article scrolled to the section listing the bridges over the river."],
    ]

    public static let system = """
        A person used a website. Below is what each of their actions changed. Write the task the person was given.
        """

    static func prompt(_ summaries: [String]) -> [ChatMessage] {
        [.system(system), .user("Trajectory:\n\n" + NNetnavModules.describe(trajectory: summaries) + "\n\nTask:")]
    }

    public struct Score: Sendable, Hashable, Codable {
        /// PMI per instruction token; higher means the trajectory explains the instruction.
        public var value: Double
        public var own: Double
        public var bestContrast: Double
        public var passes: Bool
    }

    /// Scores `instruction` against `summaries` with `score(messages, choice)` returning the total log
    /// probability of `choice` after `messages`, or nil when the backend cannot score.
    public func score(instruction: String, summaries: [String], tokens: Int,
                      logProbability: (_ messages: [ChatMessage], _ choice: String) async throws -> Double?) async throws -> Score? {
        guard let own = try await logProbability(Self.prompt(summaries), instruction) else { return nil }
        var best = -Double.infinity
        for contrast in Self.contrastTrajectories {
            guard let value = try await logProbability(Self.prompt(contrast), instruction) else { return nil }
            best = max(best, value)
        }
        let value = (own - best) / Double(max(1, tokens))
        return Score(value: value, own: own, bestContrast: best, passes: value >= margin)
    }
}

extension NNetnavModules {
    /// The contrastive consistency of `instruction` with the trajectory `summaries`, through the crawl's
    /// model (calls recorded as `consistency`); nil when the model does not score choices.
    public func consistency(instruction: String, summaries: [String], step: Int, seed: UInt64,
                            scorer: ContrastiveConsistency) async throws -> ContrastiveConsistency.Score? {
        // Only the in-process engine scores choices; a remote backend would generate and fail to match.
        guard isLocal else { return nil }
        return try await scorer.score(instruction: instruction, summaries: summaries,
                               tokens: TextMeasures.estimatedTokens(instruction)) { messages, choice in
            try await call(.consistency, step: step, messages: messages, temperature: 0, maxTokens: 1,
                           choices: [choice], seed: seed).choiceLogProbs?.first
        }
    }
}
