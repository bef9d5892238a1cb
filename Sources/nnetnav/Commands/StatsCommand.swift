import ArgumentParser
import Foundation
import Pipeline

struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Report counts, pruning rates and coverage of a crawl store.",
        discussion: """
        Episodes by status and stop reason, checkpoint decisions, the prune rate and the depth at which \
        episodes were pruned, demonstrations and instruction lengths, distinct URLs and paths per site, and \
        model calls, tokens and cache hits per module.
        """)

    @Option(name: .long, help: "The crawl store written by `nnetnav explore`.")
    var store: String

    @Flag(name: .long, help: "Print JSON instead of the text report.")
    var json = false

    func validate() throws {
        guard FileManager.default.fileExists(atPath: store) else { throw ValidationError("no crawl store at \(store)") }
    }

    func run() async throws {
        let stats = try CrawlStats(store: try CrawlStore(path: store))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(stats), as: UTF8.self))
        } else {
            print(stats.report)
        }
    }
}
