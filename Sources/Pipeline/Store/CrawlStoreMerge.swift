import Foundation

/// Merges the completed episodes of crawl stores (static shards, `explore --shard i/n`) into one
/// store of either backend. Every source must be the same run: model, sites, episode count and
/// exploration config; a mismatch is refused before anything is written.
///
/// Shards deduplicate instructions only within themselves, so a demonstration whose instruction is
/// already in the destination is dropped and its checkpoint says so; an episode already completed in
/// the destination is skipped (merging twice changes nothing). Each source is one transaction.
public struct CrawlStoreMerge: Sendable {
    public struct Summary: Sendable, CustomStringConvertible {
        public var sources = 0
        public var episodes = 0
        public var alreadyThere = 0
        public var demonstrations = 0
        public var duplicateDemonstrations = 0
        public var description: String {
            "merged \(episodes) episodes (\(alreadyThere) already there) with \(demonstrations) demonstrations "
                + "(\(duplicateDemonstrations) dropped as duplicates) from \(sources) stores"
        }
    }

    public static let duplicateNote = "duplicate instruction (merged from another shard)"

    public init() {}

    /// `sources` are (name for messages, store).
    public func merge(_ sources: [(name: String, store: CrawlStore)], into destination: any CrawlRowStore) async throws -> Summary {
        var reference = try await destination.runRow()
        var runs: [[CrawlValue]] = []
        for (name, store) in sources {
            guard let run = try await store.runRow() else {
                throw CrawlStoreError.cannotMerge("\(name) holds no crawl (no run row)")
            }
            if let reference { try Self.check(run, against: reference, name: name) } else { reference = run }
            runs.append(run)
        }
        guard let reference else { return Summary() }

        var summary = Summary(sources: sources.count)
        var done = try await destination.completedEpisodeIndexes()
        var instructions = try await destination.normalizedInstructions()
        let demoTable = CrawlTable.demonstrations, checkpoints = CrawlTable.checkpoints
        for (_, store) in sources {
            let completed = try store.completedEpisodes().subtracting(done)
            summary.alreadyThere += try store.completedEpisodes().intersection(done).count
            guard !completed.isEmpty else { continue }
            var rows: [String: [[CrawlValue]]] = [:]
            for table in CrawlTable.episodeTables {
                let key = table.name == "episodes" ? table.position(of: "idx") : table.position(of: "episode")
                rows[table.name] = try store.rows(of: table, completedOnly: true).filter {
                    $0[key].int.map(completed.contains) ?? false
                }
            }
            // A dropped demonstration's checkpoint is found by its label: a demonstration can end before the
            // checkpoint that labeled it (`Demonstration.labeledDepth`), so their depths may differ.
            var dropped: Set<String> = []
            rows[demoTable.name] = rows[demoTable.name]!.filter { row in
                let normalized = row[demoTable.position(of: "normalized_instruction")].string ?? ""
                if instructions.insert(normalized).inserted { return true }
                dropped.insert("\(row[demoTable.position(of: "episode")].int ?? -1)\u{1F}\(row[demoTable.position(of: "instruction")].string ?? "")")
                return false
            }
            let note = checkpoints.position(of: "demonstration_note")
            rows[checkpoints.name] = rows[checkpoints.name]!.map { row in
                var row = row
                let key = "\(row[checkpoints.position(of: "episode")].int ?? -1)\u{1F}\(row[checkpoints.position(of: "instruction")].string ?? "")"
                if row[note].string == "kept", dropped.contains(key) { row[note] = .text(Self.duplicateNote) }
                return row
            }
            try await destination.importEpisodes(run: reference, rows: rows)
            done.formUnion(completed)
            summary.episodes += completed.count
            summary.demonstrations += rows[demoTable.name]!.count
            summary.duplicateDemonstrations += dropped.count
        }
        return summary
    }

    static func check(_ run: [CrawlValue], against reference: [CrawlValue], name: String) throws {
        let table = CrawlTable.run
        for (column, what) in [("model", "model"), ("sites", "sites"), ("episodes", "episode count"),
                               ("config_json", "exploration config")] {
            let i = table.position(of: column)
            guard run[i] == reference[i] else {
                let shown = column == "config_json" ? "" : ": \(Self.show(run[i])) vs \(Self.show(reference[i]))"
                throw CrawlStoreError.cannotMerge("\(name) was crawled with another \(what)\(shown); only shards of one crawl merge")
            }
        }
    }

    static func show(_ value: CrawlValue) -> String {
        switch value {
        case .null: return "none"
        case .integer(let i): return "\(i)"
        case .real(let d): return "\(d)"
        case .text(let s): return s
        case .blob(let b): return "\(b.count) bytes"
        }
    }
}
