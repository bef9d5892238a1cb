import ArgumentParser

// Placeholder until the owning issue lands; replaced by the real command.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export demonstrations from a crawl store as JSONL.")
    func run() async throws { throw ValidationError("'export' is not available in this build yet") }
}
