import ArgumentParser

// Placeholder until the owning issue lands; replaced by the real command.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the whole job: sites, exploration, export, fine-tuning, evaluation.")
    func run() async throws { throw ValidationError("'run' is not available in this build yet") }
}
