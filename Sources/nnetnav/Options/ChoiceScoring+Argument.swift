import ArgumentParser
import Evaluation

/// `--choice-scoring joint|verb-first` (`eval`, `experiment`).
extension ChoiceScoring: ExpressibleByArgument {
    static let argumentDiscussion = "joint (the default): the most likely whole answer. verb-first: the operation whose answers are together most likely (click, type, scroll, stop...), then its most likely answer; a page has one `scroll [down]` but dozens of clicks, so a policy sure to click but unsure where loses to the scroll under joint. Only for models that score the choices (in-process ones)."
}
