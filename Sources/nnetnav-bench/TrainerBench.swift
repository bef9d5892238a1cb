import ArgumentParser

// Placeholder until the owning issue lands; replaced by the real benchmark.
struct TrainerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "trainer")
    func run() async throws { throw ValidationError("'trainer' benchmark is not available in this build yet") }
}
