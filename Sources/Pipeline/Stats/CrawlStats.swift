import Foundation
import GRDB

/// What a crawl produced: counts, pruning, instruction lengths, coverage and model usage.
public struct CrawlStats: Sendable, Codable {
    public struct SiteCoverage: Sendable, Codable {
        public var site: String
        public var episodes: Int
        public var demonstrations: Int
        public var distinctURLs: Int
        public var distinctPaths: Int
    }
    public struct ModuleUsage: Sendable, Codable {
        public var module: String
        public var calls: Int
        public var cached: Int
        public var promptTokens: Int
        public var completionTokens: Int
        public var meanLatency: Double
    }

    public var episodesByStatus: [String: Int] = [:]
    public var stopReasons: [String: Int] = [:]
    public var actions = 0
    public var constrainedActions = 0
    public var checkpoints = 0
    public var checkpointDecisions: [String: Int] = [:]
    /// Completed episodes that ended by pruning, over all completed episodes.
    public var pruneRate = 0.0
    /// Depth of the pruning checkpoint -> episodes.
    public var pruneDepths: [Int: Int] = [:]
    public var demonstrations = 0
    public var demonstrationSteps = 0
    public var templateRationales = 0
    public var unparsedStopActions = 0
    public var instructionWords: Summary?
    public var sites: [SiteCoverage] = []
    public var modules: [ModuleUsage] = []

    /// Model calls (cached ones included: they were paid for once) and tokens over the whole crawl.
    public var totalCalls: Int { modules.map(\.calls).reduce(0, +) }
    public var totalTokens: Int { modules.map { $0.promptTokens + $0.completionTokens }.reduce(0, +) }
    /// What one accepted demonstration cost, the crawl's yield figure (#16): nil when none was accepted.
    public var callsPerDemonstration: Double? { demonstrations > 0 ? Double(totalCalls) / Double(demonstrations) : nil }
    public var tokensPerDemonstration: Double? { demonstrations > 0 ? Double(totalTokens) / Double(demonstrations) : nil }

    public struct Summary: Sendable, Codable {
        public var min: Int
        public var max: Int
        public var mean: Double
        public var median: Double
    }

    public init(store: CrawlStore) throws {
        try store.database.read { db in
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM episodes GROUP BY status") {
                episodesByStatus[row["status"]] = row["n"]
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT stop_reason, COUNT(*) AS n FROM episodes WHERE status = 'completed' GROUP BY stop_reason
                """) {
                stopReasons[row["stop_reason"] ?? "?"] = row["n"]
            }
            actions = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM steps WHERE action IS NOT NULL") ?? 0
            constrainedActions = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM steps WHERE constrained = 1") ?? 0
            checkpoints = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM checkpoints") ?? 0
            for row in try Row.fetchAll(db, sql: "SELECT decision, COUNT(*) AS n FROM checkpoints GROUP BY decision") {
                checkpointDecisions[row["decision"]] = row["n"]
            }
            let completed = episodesByStatus["completed"] ?? 0
            pruneRate = completed > 0 ? Double(stopReasons[StopReason.pruned.rawValue] ?? 0) / Double(completed) : 0
            for row in try Row.fetchAll(db, sql: """
                SELECT c.depth AS depth, COUNT(*) AS n FROM checkpoints c JOIN episodes e ON e.idx = c.episode
                WHERE e.status = 'completed' AND c.decision != 'accepted' GROUP BY c.depth
                """) {
                pruneDepths[row["depth"]] = row["n"]
            }
            demonstrations = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM demonstrations") ?? 0
            demonstrationSteps = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(depth + 1), 0) FROM demonstrations") ?? 0
            templateRationales = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(template_rationales), 0) FROM demonstrations") ?? 0
            unparsedStopActions = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM demonstrations WHERE stop_parsed = 0") ?? 0
            let words = try String.fetchAll(db, sql: "SELECT instruction FROM demonstrations")
                .map { $0.split(whereSeparator: \.isWhitespace).count }.sorted()
            if !words.isEmpty {
                let mid = words.count / 2
                instructionWords = Summary(min: words.first!, max: words.last!,
                                           mean: Double(words.reduce(0, +)) / Double(words.count),
                                           median: words.count % 2 == 1 ? Double(words[mid]) : Double(words[mid - 1] + words[mid]) / 2)
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT site, COUNT(*) AS episodes,
                       (SELECT COUNT(*) FROM demonstrations d JOIN episodes e2 ON e2.idx = d.episode WHERE e2.site = e.site) AS demos
                FROM episodes e GROUP BY site ORDER BY site
                """) {
                let site: String = row["site"]
                let urls = try String.fetchAll(db, sql: """
                    SELECT DISTINCT s.url FROM steps s JOIN episodes e ON e.idx = s.episode WHERE e.site = ?
                    """, arguments: [site])
                let paths = Set(urls.map { URLComponents(string: $0)?.path ?? $0 })
                sites.append(SiteCoverage(site: site, episodes: row["episodes"], demonstrations: row["demos"],
                                          distinctURLs: urls.count, distinctPaths: paths.count))
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT module, COUNT(*) AS calls, SUM(cached) AS cached, SUM(prompt_tokens) AS p,
                       SUM(completion_tokens) AS c, AVG(latency) AS l FROM model_calls GROUP BY module ORDER BY module
                """) {
                modules.append(ModuleUsage(module: row["module"], calls: row["calls"], cached: row["cached"],
                                           promptTokens: row["p"], completionTokens: row["c"], meanLatency: row["l"]))
            }
        }
    }

    /// A human-readable report.
    public var report: String {
        var lines: [String] = []
        let status = episodesByStatus.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        lines.append("Episodes: \(status.isEmpty ? "none" : status)")
        lines.append("Stop reasons: " + stopReasons.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        lines.append("Actions: \(actions) (\(constrainedActions) chosen by the constrained re-ask)")
        lines.append("Checkpoints: \(checkpoints); " + checkpointDecisions.sorted { $0.key < $1.key }
            .map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        lines.append(String(format: "Prune rate: %.1f%% of completed episodes", pruneRate * 100))
        if !pruneDepths.isEmpty {
            let peak = pruneDepths.values.max() ?? 1
            lines.append("Prune depth histogram:")
            for (depth, n) in pruneDepths.sorted(by: { $0.key < $1.key }) {
                let bar = String(repeating: "█", count: max(1, n * 30 / peak))
                lines.append(String(format: "  %3d  %@ %d", depth, bar, n))
            }
        }
        lines.append("Demonstrations: \(demonstrations) (\(demonstrationSteps) SFT steps, \(templateRationales) template "
                     + "rationales, \(unparsedStopActions) stop actions defaulted to N/A)")
        if let w = instructionWords {
            lines.append(String(format: "Instruction words: min %d, median %.1f, mean %.1f, max %d", w.min, w.median, w.mean, w.max))
        }
        lines.append("Per-site coverage:")
        for s in sites {
            lines.append("  \(s.site): \(s.episodes) episodes, \(s.demonstrations) demonstrations, "
                         + "\(s.distinctURLs) distinct URLs, \(s.distinctPaths) distinct paths")
        }
        lines.append("Model calls:")
        for m in modules {
            lines.append("  " + m.module.padding(toLength: 14, withPad: " ", startingAt: 0)
                         + String(format: "%6d calls (%d cached), %d prompt + %d completion tokens, %.2f s mean",
                                  m.calls, m.cached, m.promptTokens, m.completionTokens, m.meanLatency))
        }
        lines.append(costLine)
        return lines.joined(separator: "\n")
    }

    /// The crawl's yield in one line, shared by `nnetnav stats` and the main job's summary.
    public var costLine: String {
        guard let calls = callsPerDemonstration, let tokens = tokensPerDemonstration else {
            return "Cost per accepted demonstration: none accepted (\(totalCalls) calls, \(totalTokens) tokens spent)"
        }
        return String(format: "Cost per accepted demonstration: %.1f calls, %.0f tokens", calls, tokens)
    }
}
