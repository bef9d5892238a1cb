import ArgumentParser

// Placeholder until the owning issue lands; replaced by the real benchmark.
struct BrowserBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "browser")
    func run() async throws { throw ValidationError("'browser' benchmark is not available in this build yet") }
}
