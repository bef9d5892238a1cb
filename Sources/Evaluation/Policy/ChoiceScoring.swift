import Foundation

/// How a choice decoder turns the log-likelihoods of the candidate answers into one action.
///
/// A page offers one `scroll [down]` but dozens of clicks, so a policy that is sure it should click
/// but unsure where spreads its click probability over many answers, and the single most likely
/// whole answer is then often the scroll even when clicking has most of the mass. `verbFirst`
/// decides the operation on its total probability before the element, as Mind2Web's MindAct
/// decides element and operation in two stages.
public enum ChoiceScoring: String, Codable, Sendable, CaseIterable {
    /// The most likely whole answer: argmax over candidates of log P(answer).
    case joint
    /// The verb whose candidates are together most likely (log-sum-exp of their answers' log
    /// probabilities), then that verb's most likely answer.
    case verbFirst = "verb-first"
    /// The answer whose likelihood the objective raises most: log P(answer | page, objective) −
    /// log P(answer | page, no objective), the pointwise mutual information of answer and objective
    /// (Holtzman et al. 2021, "Surface Form Competition"). A small model's likelihood of "click the
    /// link 'Home'" is mostly the prior of its words; this divides that prior out. Costs a second
    /// scoring call per step; `pick` then takes the argmax of the differences it is given.
    case objectivePMI = "objective-pmi"

    /// The index of the chosen candidate, given each candidate's log-probability and verb; nil
    /// when there is nothing to choose or the two lists disagree in length.
    public func pick(logProbabilities: [Double], verbs: [String]) -> Int? {
        guard !logProbabilities.isEmpty, logProbabilities.count == verbs.count else { return nil }
        let finite = logProbabilities.indices.filter { logProbabilities[$0].isFinite }
        guard !finite.isEmpty else { return nil }
        func best(_ indices: [Int]) -> Int {
            // Ties go to the earlier candidate, as the engine's own argmax does.
            indices.max { a, b in logProbabilities[a] < logProbabilities[b] || (logProbabilities[a] == logProbabilities[b] && a > b) }!
        }
        switch self {
        case .joint, .objectivePMI:
            return best(finite)
        case .verbFirst:
            var groups: [String: [Int]] = [:]
            var order: [String] = []
            for i in finite {
                if groups[verbs[i]] == nil { order.append(verbs[i]) }
                groups[verbs[i], default: []].append(i)
            }
            let mass = order.map { verb in ReferenceAgreement.logSumExp(groups[verb]!.map { logProbabilities[$0] }) }
            let top = mass.indices.max { a, b in mass[a] < mass[b] || (mass[a] == mass[b] && a > b) }!
            return best(groups[order[top]]!)
        }
    }
}
