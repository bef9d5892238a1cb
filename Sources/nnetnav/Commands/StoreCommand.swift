import ArgumentParser
import Foundation
import LanguageModels
import Pipeline
import PostgresStore

/// `nnetnav store …`: operations on whole crawl stores.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Operations on crawl stores: merge static shards.",
        subcommands: [StoreMergeCommand.self])
}

struct StoreMergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the SQLite stores of static shards (explore --shard i/n) into one store, with their response caches.",
        discussion: """
        Every input must be a shard of the same crawl (same model, sites, episode count and exploration \
        config); a mismatch is refused before anything is written. Completed episodes are copied with their \
        steps, model calls, checkpoints, demonstrations and replay results; episodes that did not complete \
        are left out (rerun that shard to finish them). An instruction kept by two shards stays once (the \
        other's checkpoint says why). The output may already hold episodes: those it has are kept, so a \
        merge can be repeated as shards finish. The output may be a postgres:// store.

        Each shard's response cache (responses.sqlite beside it, or --caches) is merged into the output's \
        (responses.sqlite beside a SQLite output, or --cache-out).

        Example:
          nnetnav store merge runs/shard-0/crawl.sqlite runs/shard-1/crawl.sqlite --out runs/merged/crawl.sqlite
        """)

    @Argument(help: "The shard stores (SQLite files).")
    var inputs: [String]

    @Option(name: .long, help: "The merged store: a SQLite file (created if needed) or a postgres:// URL.")
    var out: StoreLocation

    @Option(name: .long, parsing: .upToNextOption, help: "Response caches to merge (default: responses.sqlite beside each input, where present).")
    var caches: [String] = []

    @Option(name: .long, help: "The merged response cache (default: responses.sqlite beside a SQLite --out; none for a postgres:// --out).")
    var cacheOut: String?

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give the shard stores to merge") }
        for path in inputs + caches where !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("no file at \(path)")
        }
        if case .sqlite(let path) = out, inputs.contains(where: { URL(fileURLWithPath: $0).standardized == URL(fileURLWithPath: path).standardized }) {
            throw ValidationError("--out \(path) is also an input")
        }
    }

    func run() async throws {
        let sources = try inputs.map { (name: $0, store: try CrawlStore(path: $0)) }
        let summary: CrawlStoreMerge.Summary
        switch out {
        case .sqlite(let path):
            let destination = try CrawlStore(path: path)
            summary = try await CrawlStoreMerge().merge(sources, into: destination)
        case .postgres(let url):
            let backend = try await PostgresCrawlBackend.open(url)
            defer { backend.session.close() }
            summary = try await CrawlStoreMerge().merge(sources, into: backend)
        }
        print(summary)

        let cacheInputs = caches.isEmpty
            ? inputs.map { URL(fileURLWithPath: $0).deletingLastPathComponent().appendingPathComponent("responses.sqlite").path }
                .filter { FileManager.default.fileExists(atPath: $0) }
            : caches
        let cacheTarget: String? = switch out {
        case .sqlite(let path): cacheOut ?? URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("responses.sqlite").path
        case .postgres: cacheOut
        }
        guard !cacheInputs.isEmpty else { return }
        guard let cacheTarget else {
            print("response caches not merged: give --cache-out for a postgres:// output")
            return
        }
        let target = try ResponseCache(path: cacheTarget)
        var added = 0
        for input in cacheInputs where URL(fileURLWithPath: input).standardized != URL(fileURLWithPath: cacheTarget).standardized {
            added += try await target.importEntries(from: try ResponseCache(path: input))
        }
        print("response cache \(cacheTarget): \(added) entries added from \(cacheInputs.count) caches")
    }
}
