import ArgumentParser
import Pipeline

/// `--answer-reasoning empty|element` (`eval`, `experiment`).
extension AnswerReasoning: ExpressibleByArgument {
    static let argumentDiscussion = "empty (the default): \"Let's think step-by-step. In summary, the next action I will perform is ```click [88]```\". element: the same with \"I will click the link 'Home & Kitchen'.\" before the summary, naming the element acted on as NNetnav's rationales do, so the objective's words and the element's meet inside the scored answer."
}
