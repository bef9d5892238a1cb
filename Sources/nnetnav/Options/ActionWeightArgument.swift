import ArgumentParser
import MainJob

/// `--action-weight stop=0.3`: the loss weight of rows whose action has this verb, parsed once.
struct ActionWeightArgument: ExpressibleByArgument {
    var verb: String
    var weight: Float

    init?(argument: String) {
        let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, let weight = Float(parts[1]),
              MainJobConfig.TrainingSettings.problem(with: [parts[0]: weight]) == nil else { return nil }
        verb = parts[0]
        self.weight = weight
    }

    static let help = ArgumentHelp(
        "Loss weight of rows whose action has this verb, as VERB=WEIGHT (repeatable), e.g. stop=0.3.",
        discussion: "Unnamed verbs weigh 1. Each short demonstration ends in one stop row, so stops can be a third of the data and a small student fits their constant answer; a weight below 1 lowers their share without dropping a row.",
        valueName: "verb=weight")

    /// The weights as the trainer takes them; a verb given twice keeps its last weight.
    static func table(_ arguments: [ActionWeightArgument]) -> [String: Float] {
        Dictionary(arguments.map { ($0.verb, $0.weight) }, uniquingKeysWith: { _, last in last })
    }
}
