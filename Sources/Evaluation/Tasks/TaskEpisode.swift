import Foundation
import LanguageModels
import WebBrowser
import WebTasks

/// Everything that happened while a policy attempted one task, kept for inspection.
public struct TaskEpisode: Sendable, Codable {
    public struct Step: Sendable, Codable {
        public var url: String
        public var observation: String
        public var modelOutput: String
        public var action: String
        public var actionDescription: String
        public var valid: Bool
        public var constrained: Bool
        public var error: String?
        /// Where the step's time went (absent in results written before it was measured).
        public var timing: StepTiming? = nil
        /// Teacher-forced evaluation only: the reference solution's action at this state (the one
        /// executed; `action` is the policy's choice), whether the two agree (`ReferenceAgreement`)
        /// and whether the reference action was among the candidates the policy was offered.
        public var referenceAction: String? = nil
        public var matchesReference: Bool? = nil
        public var referenceOffered: Bool? = nil
        /// Teacher-forced, when the model scored its candidates: the log of the probability its
        /// choice (the softmax of the candidates' log-likelihoods) gives the reference action. A
        /// continuous step score: it moves when training shifts mass toward the right action before
        /// that action wins the argmax. Nil when the reference was not offered or nothing was scored.
        public var referenceLogProbability: Double? = nil
        /// Teacher-forced: how many candidates the policy was offered; −log of it is the reference's
        /// log-probability under a uniform choice, the chance level of `referenceLogProbability`.
        public var candidateCount: Int? = nil
        /// The same among the candidates of the reference's verb only (log P(reference | its verb)),
        /// and their number: how well the policy picks the element once the operation is given.
        public var referenceLogProbabilityWithinVerb: Double? = nil
        public var verbCandidateCount: Int? = nil
    }

    public var taskID: Int
    public var site: String
    public var intent: String
    public var difficulty: Int
    public var instance: Int
    public var steps: [Step]
    public var answer: String?
    public var finalURL: String
    public var result: EvaluationResult
    public var failure: FailureCause?
    public var usage: TokenUsage
    public var seconds: Double
    /// What identifies this attempt among an evaluation's results (`EpisodeKey`), so a rerun
    /// skips it.
    public var key: String? = nil
    /// Seconds spent preparing the task (site reset, sign-in, loading the start page).
    public var setupSeconds: Double? = nil
    /// Seconds the task's checks took.
    public var evaluatorSeconds: Double? = nil
    /// Why the early-stop rule ended the episode before its step limit (`EarlyStop`), if it did.
    public var earlyStop: String? = nil
    /// The evaluation was interrupted during the attempt: unfinished, never recorded as a result.
    public var interrupted: Bool? = nil

    public var succeeded: Bool { result.passed }
}

/// Why an attempt failed, most specific cause first.
public enum FailureCause: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// The harness could not prepare the task (login or reset failed).
    case setup
    /// The model server failed (after retries) or the environment threw.
    case modelOrEnvironmentError = "model-or-environment-error"
    /// Every step was an unparseable action.
    case invalidActions = "invalid-actions"
    /// The step limit was reached without a stop action.
    case stepLimit = "step-limit"
    /// The policy repeated one action until the early-stop rule ended the episode (`EarlyStop`).
    case repeatedActions = "repeated-actions"
    /// The policy stopped, but the answer or the final state did not pass the checks.
    case wrongResult = "wrong-result"

    public var description: String { rawValue }
}
