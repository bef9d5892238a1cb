import ArgumentParser

// Placeholder until the owning issue lands; replaced by the real command.
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "chat", abstract: "Chat with a language model.")
    func run() async throws { throw ValidationError("'chat' is not available in this build yet") }
}
