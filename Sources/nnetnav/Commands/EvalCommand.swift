import ArgumentParser

// Placeholder until the owning issue lands; replaced by the real command.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "Evaluate a policy on task sets of the bundled sites.")
    func run() async throws { throw ValidationError("'eval' is not available in this build yet") }
}
