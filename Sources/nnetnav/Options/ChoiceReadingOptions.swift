import ArgumentParser
import Evaluation
import Pipeline

/// How choice decoding words the candidates and reads their likelihoods: one group for `eval` and
/// `experiment`, so both record the same two settings the same way.
struct ChoiceReadingOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("How choice decoding reads the candidates' likelihoods: joint, verb-first or objective-pmi.",
                                            discussion: ChoiceScoring.argumentDiscussion))
    var choiceScoring: ChoiceScoring = .joint

    @Option(name: .long, help: ArgumentHelp("What each templated answer says before its action: empty or element (the scored candidates, and in `experiment` the oracle's training targets).",
                                            discussion: AnswerReasoning.argumentDiscussion))
    var answerReasoning: AnswerReasoning = .empty
}
