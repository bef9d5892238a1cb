import ArgumentParser
import Evaluation

/// `--choice-scoring joint|verb-first` (`eval`, `experiment`).
extension ChoiceScoring: ExpressibleByArgument {
    static let argumentDiscussion = "joint (the default): the most likely whole answer. verb-first: the operation whose answers are together most likely (click, type, scroll, stop...), then its most likely answer; a page has one `scroll [down]` but dozens of clicks, so a policy sure to click but unsure where loses to the scroll under joint. objective-pmi: the answer whose likelihood the objective raises most (its log-likelihood minus that of the same answer with the objective left out; a second scoring call per step). Only for models that score the choices (in-process ones)."
}
