import ArgumentParser

@main
struct NNetnav: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nnetnav",
        abstract: "Make training data for web agents without human demonstrators, and train a small agent on it.",
        discussion: """
        An explorer browses bundled WebArena-style sites with a language model; a relabeler names what \
        each sub-trajectory accomplished, a judge scores it, and episodes that cannot be labeled are pruned. \
        The surviving demonstrations export as chat-format JSONL, fine-tune a small policy on CPU, and the \
        policy is evaluated on tasks with programmatic checks.

        Start with `nnetnav run` (the whole job on the embedded defaults) or `nnetnav env serve`.
        """,
        subcommands: [
            RunCommand.self,
            EnvCommand.self,
            ObserveCommand.self,
            ExploreCommand.self,
            ReplayCommand.self,
            ExportCommand.self,
            StatsCommand.self,
            ViewCommand.self,
            StoreCommand.self,
            TrainCommand.self,
            EvalCommand.self,
            CompareCommand.self,
            ExperimentCommand.self,
            ChatCommand.self,
            GenerateCommand.self,
            PruneCommand.self,
            SelectCommand.self,
            InstructionPruneCommand.self,
        ]
    )
}
