import ArgumentParser

// Placeholder until the owning issue lands; replaced by the real command.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Report counts, pruning rates and coverage of a crawl store.")
    func run() async throws { throw ValidationError("'stats' is not available in this build yet") }
}
