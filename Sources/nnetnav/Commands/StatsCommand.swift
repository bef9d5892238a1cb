import ArgumentParser
import Foundation
import Pipeline
import PostgresStore

struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Report counts, pruning rates and coverage of a crawl store.",
        discussion: """
        Episodes by status and stop reason, checkpoint decisions, the prune rate and the depth at which \
        episodes were pruned, demonstrations and instruction lengths, distinct URLs and paths per site, and \
        model calls, tokens and cache hits per module. Then the data-quality table per site (instruction \
        diversity, action mix, failed actions, signed-in coverage, template rationales, judge scores, \
        instruction filter, programmatic grounding, contrastive consistency, replay rate, model calls and \
        tokens per accepted demonstration); datasets/schema.md says what each number means.
        """)

    @Option(name: .long, help: "The crawl store written by `nnetnav explore`: a SQLite file or a postgres:// URL.")
    var store: StoreLocation

    @Flag(name: .long, help: "Print JSON instead of the text report.")
    var json = false

    @Option(name: .long, help: "Also write the data-quality report as HTML (tables and SVG charts) to this file.")
    var report: String?

    func validate() throws {
        try store.validateExists()
    }

    func run() async throws {
        let (crawlStore, finish) = try await store.openForReading()
        defer { finish() }
        let stats = try CrawlStats(store: crawlStore)
        let quality = try QualityReport(store: crawlStore)
        if json {
            struct Both: Encodable { var stats: CrawlStats; var quality: QualityReport }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(Both(stats: stats, quality: quality)), as: UTF8.self))
        } else {
            if case .postgres(let url) = store {
                // A shared crawl's episodes in flight are only in its queue, not in the snapshot.
                let backend = try await PostgresCrawlBackend.open(url)
                let counts = try await backend.queueCounts()
                backend.session.close()
                print("work queue: " + ["completed", "running", "pending", "failed"].map { "\($0) \(counts[$0] ?? 0)" }
                    .joined(separator: ", "))
            }
            print(stats.report)
            print()
            print(quality.table)
        }
        if let report {
            try Data(quality.html.utf8).write(to: URL(fileURLWithPath: report), options: .atomic)
            if !json { print("quality report: \(report)") }
        }
    }
}
