import ArgumentParser

// Placeholder until the owning issue lands; replaced by the real command.
struct EnvCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "env", abstract: "Serve and reset the bundled sites.")
    func run() async throws { throw ValidationError("'env' is not available in this build yet") }
}
