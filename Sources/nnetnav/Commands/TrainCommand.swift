import ArgumentParser

// Placeholder until the owning issue lands; replaced by the real command.
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: "Fine-tune the policy model on exported demonstrations.")
    func run() async throws { throw ValidationError("'train' is not available in this build yet") }
}
