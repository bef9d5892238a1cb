import ArgumentParser

// Placeholder until the owning issue lands; replaced by the real command.
struct ObserveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "observe", abstract: "Print the text observation of a URL or HTML file.")
    func run() async throws { throw ValidationError("'observe' is not available in this build yet") }
}
