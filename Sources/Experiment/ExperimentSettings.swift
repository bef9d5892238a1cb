import Foundation
import Pipeline
import Evaluation
import MainJob
import WebTasks

/// Everything that decides an experiment's numbers, recorded in `experiment.json` so a rerun can
/// be checked against it. Seeds are fixed: the same settings on the same code give the same rows,
/// the same checkpoints and (the policies decode greedily) the same episodes.
public struct ExperimentSettings: Codable, Sendable, Equatable {
    /// Arms, in report order: `base` (the student zero-shot), `nnetnav` (fine-tuned on the crawl's
    /// demonstrations) and `oracle` (the ceiling: fine-tuned on scripted solutions of training-split tasks).
    public var arms: [Arm] = Arm.allCases
    /// Bundled sites whose held-out tasks are evaluated.
    public var sites = ["shop", "forum"]
    /// Held-out tasks per site, easiest first.
    public var tasksPerSite = 8
    public var maxDifficulty = 4
    public var maxSteps = 6
    /// MiniWoB++ selection (`nnetnav`, `all`, names) or nil for none. The oracle arm has no MiniWoB++
    /// data (there are no scripted MiniWoB++ solutions), so it is evaluated there only as a reference.
    public var miniwob: String? = nil
    public var miniwobSeeds = 3
    /// The nnetnav arm's training rows (`nnetnav export` of the crawl: `sft_train.jsonl`).
    public var nnetnavData: String?
    /// The student's starting checkpoint; nil is the embedded model.
    public var student: String?
    /// Train the oracle on as many rows as the nnetnav arm has (when that has any), so the two arms
    /// differ in the data's content, not its amount.
    public var matchRows = true
    /// Each fine-tuned arm keeps only the first row of a run of consecutive scroll rows of one
    /// demonstration (nil in settings written before it existed: every row kept).
    public var collapseScrollRuns: Bool? = nil
    /// How the scripted solutions (oracle data, teacher-forced references) reach their pages;
    /// nil is as written (their `goto`s), which settings written before this existed mean.
    public var solutionNavigation: SolutionNavigation? = .clicks
    public var training = MainJobConfig.TrainingSettings()
    public var maxSequenceTokens = 1024
    public var maxAnswerTokens = 128
    public var policyMaxTokens = 64
    /// How every arm's policy picks an action; `nnetnav experiment` sets it (`reasoned` unless told),
    /// and `choice` is what folders written before it recorded a decoding used.
    public var decoding = PolicyDecoding.choice
    /// How choice decoding reads the candidates' likelihoods; nil is `joint`, which settings written
    /// before this existed mean.
    public var choiceScoring: ChoiceScoring? = nil
    /// What the oracle's targets and every arm's scored candidates say before the action; nil is
    /// `empty`, which settings written before this existed mean.
    public var answerReasoning: AnswerReasoning? = nil
    public var instances = 1
    public var seed: UInt64 = 0

    public init() {}

    public enum Arm: String, Codable, Sendable, CaseIterable {
        case base, nnetnav, oracle

        public var title: String {
            switch self {
            case .base: return "base (zero-shot)"
            case .nnetnav: return "nnetnav (fine-tuned on the crawl's demonstrations)"
            case .oracle: return "oracle — ceiling (fine-tuned on scripted solutions of training-split tasks)"
            }
        }
    }

    public func validate() throws {
        guard tasksPerSite >= 0, maxSteps > 0, miniwobSeeds > 0, instances > 0 else {
            throw ExperimentError.badSettings("tasks per site must be ≥ 0; steps, seeds and instances positive")
        }
        guard maxSequenceTokens <= training.sequenceLength else {
            throw ExperimentError.badSettings("max sequence tokens (\(maxSequenceTokens)) exceed the training sequence length (\(training.sequenceLength))")
        }
        if arms.contains(.nnetnav), nnetnavData == nil {
            throw ExperimentError.badSettings("the nnetnav arm needs the crawl's training rows (--data DIR/sft_train.jsonl)")
        }
        guard !arms.isEmpty else { throw ExperimentError.badSettings("no arms") }
    }
}
