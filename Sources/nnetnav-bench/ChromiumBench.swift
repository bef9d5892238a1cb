import ArgumentParser

// Placeholder until the owning issue lands; replaced by the real benchmark.
struct ChromiumBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backends")
    func run() async throws { throw ValidationError("'backends' benchmark is not available in this build yet") }
}
