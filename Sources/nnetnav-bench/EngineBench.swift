import ArgumentParser

// Placeholder until the owning issue lands; replaced by the real benchmark.
struct EngineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "engine")
    func run() async throws { throw ValidationError("'engine' benchmark is not available in this build yet") }
}
