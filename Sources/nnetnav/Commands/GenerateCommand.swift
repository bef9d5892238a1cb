import ArgumentParser

// Placeholder until the owning issue lands; replaced by the real command.
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Generate a completion from a language model.")
    func run() async throws { throw ValidationError("'generate' is not available in this build yet") }
}
