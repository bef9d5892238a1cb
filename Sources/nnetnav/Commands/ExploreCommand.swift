import ArgumentParser

// Placeholder until the owning issue lands; replaced by the real command.
struct ExploreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "explore", abstract: "Explore sites with a language model and store episodes in a crawl store.")
    func run() async throws { throw ValidationError("'explore' is not available in this build yet") }
}
