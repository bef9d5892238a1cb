import Foundation
import GRDB

/// Data-quality measurements of a crawl, per site and overall (documented in datasets/schema.md).
/// Everything is computed from the store; nothing calls a model.
public struct QualityReport: Sendable, Codable {
    public struct SiteQuality: Sendable, Codable {
        public var site: String
        public var demonstrations = 0
        /// Distinct word unigrams / all unigrams over the site's instructions.
        public var distinct1: Double?
        /// Distinct word bigrams / all bigrams.
        public var distinct2: Double?
        /// Share of instructions with word-set Jaccard >= 0.6 to another instruction of the site.
        public var nearDuplicateRate: Double?
        /// Normalized entropy (0-1) of the final page's section (first path segment) over demonstrations.
        public var topicSpread: Double?
        /// Distinct sections the demonstrations end in.
        public var topics = 0
        /// Explored actions by verb (click, type, scroll, go_back, ...).
        public var actionMix: [String: Int] = [:]
        public var actions = 0
        /// Explored actions whose next observation reported an error.
        public var failedActionRate: Double?
        /// Explored pages that show a sign-out control (the persona is signed in).
        public var signedInRate: Double?
        /// Demonstration steps whose rationale is the fallback template.
        public var templateRationaleRate: Double?
        /// Judge scores 1-5 over judged checkpoints.
        public var judgeScores: [Int: Int] = [:]
        /// Accepted demonstrations whose instruction is grounded in the trajectory (programmatic, see schema).
        public var groundedRate: Double?
        /// Mean contrastive consistency (PMI per token) of the site's demonstrations where measured.
        public var meanConsistency: Double?
        /// Demonstrations that pass the deterministic site-instruction filter.
        public var instructionFilterPassRate: Double?
        /// Replayed demonstrations that reached the same final URL and page state.
        public var replayRate: Double?
        public var replayed = 0
    }

    public var sites: [SiteQuality] = []
    public var overall = SiteQuality(site: "all")
    /// Model calls and tokens per accepted demonstration (issue 16 item 5).
    public var calls = 0
    public var tokens = 0
    public var callsPerDemonstration: Double?
    public var tokensPerDemonstration: Double?
    public var callsByModule: [String: Int] = [:]
    /// Calls per accepted demonstration whose instruction passes `InstructionFilter`: junk kept by a
    /// lenient pipeline makes "per accepted demonstration" look cheap, so both are reported.
    public var callsPerUsableDemonstration: Double?

    public init(store: CrawlStore) throws {
        let demos = try store.demonstrations()
        try store.database.read { db in
            let siteNames = try String.fetchAll(db, sql: "SELECT DISTINCT site FROM episodes ORDER BY site")
            var perSite: [SiteQuality] = []
            for site in siteNames.map(Optional.some) + [nil] {
                let filter = site == nil ? "" : " AND e.site = ?"
                let args: StatementArguments = site.map { StatementArguments([$0]) } ?? StatementArguments()
                var q = SiteQuality(site: site ?? "all")
                let mine = demos.filter { site == nil || $0.site == site }
                q.demonstrations = mine.count
                Self.fillInstructionMeasures(&q, mine)
                for row in try Row.fetchAll(db, sql: """
                    SELECT s.action AS action, s.error AS error, s.observation AS obs FROM steps s
                    JOIN episodes e ON e.idx = s.episode WHERE s.action IS NOT NULL\(filter)
                    """, arguments: args) {
                    let action: String = row["action"]
                    let verb = String(action.prefix(while: { !$0.isWhitespace }))
                    q.actionMix[verb, default: 0] += 1
                    q.actions += 1
                    if (row["error"] as String?) != nil { q.failedActionRate = (q.failedActionRate ?? 0) + 1 }
                    if Self.showsSignOut(row["obs"]) { q.signedInRate = (q.signedInRate ?? 0) + 1 }
                }
                if q.actions > 0 {
                    q.failedActionRate = (q.failedActionRate ?? 0) / Double(q.actions)
                    q.signedInRate = (q.signedInRate ?? 0) / Double(q.actions)
                }
                for row in try Row.fetchAll(db, sql: """
                    SELECT CAST(ROUND(c.score) AS INTEGER) AS s, COUNT(*) AS n FROM checkpoints c JOIN episodes e ON e.idx = c.episode
                    WHERE c.score IS NOT NULL\(filter) GROUP BY s
                    """, arguments: args) {
                    q.judgeScores[row["s"]] = row["n"]
                }
                let consistency = try Double.fetchAll(db, sql: """
                    SELECT c.consistency FROM checkpoints c JOIN episodes e ON e.idx = c.episode
                    JOIN demonstrations d ON d.episode = c.episode AND d.depth = c.depth
                    WHERE c.consistency IS NOT NULL\(filter)
                    """, arguments: args)
                if !consistency.isEmpty { q.meanConsistency = consistency.reduce(0, +) / Double(consistency.count) }
                let replays = try Row.fetchAll(db, sql: """
                    SELECT same_url AND same_state AS ok FROM replays r WHERE 1 = 1\(site == nil ? "" : " AND r.site = ?")
                    """, arguments: args)
                q.replayed = replays.count
                if !replays.isEmpty { q.replayRate = Double(replays.filter { $0["ok"] as Bool }.count) / Double(replays.count) }
                if site == nil { overall = q } else { perSite.append(q) }
            }
            sites = perSite
            for row in try Row.fetchAll(db, sql: """
                SELECT module, COUNT(*) AS n, SUM(prompt_tokens + completion_tokens) AS t FROM model_calls
                JOIN episodes e ON e.idx = model_calls.episode WHERE e.status = 'completed' GROUP BY module
                """) {
                callsByModule[row["module"]] = row["n"]
                calls += row["n"] as Int
                tokens += row["t"] as Int
            }
        }
        if !demos.isEmpty {
            callsPerDemonstration = Double(calls) / Double(demos.count)
            tokensPerDemonstration = Double(tokens) / Double(demos.count)
        }
        let usable = demos.filter { InstructionFilter.accepts($0.instruction) }.count
        if usable > 0 { callsPerUsableDemonstration = Double(calls) / Double(usable) }
    }

    static func fillInstructionMeasures(_ q: inout SiteQuality, _ demos: [Demonstration]) {
        guard !demos.isEmpty else { return }
        let tokenLists = demos.map { TextMeasures.tokens($0.instruction) }
        let unigrams = tokenLists.flatMap { $0 }
        var bigrams: [String] = []
        for t in tokenLists where t.count >= 2 {
            for i in 1..<t.count { bigrams.append(t[i - 1] + " " + t[i]) }
        }
        q.distinct1 = unigrams.isEmpty ? nil : Double(Set(unigrams).count) / Double(unigrams.count)
        q.distinct2 = bigrams.isEmpty ? nil : Double(Set(bigrams).count) / Double(bigrams.count)
        let near = demos.indices.filter { i in
            demos.indices.contains { j in j != i && TextMeasures.jaccard(demos[i].instruction, demos[j].instruction) >= 0.6 }
        }.count
        q.nearDuplicateRate = Double(near) / Double(demos.count)
        var sections: [String: Int] = [:]
        for demo in demos { sections[section(of: demo.finalURL), default: 0] += 1 }
        q.topics = sections.count
        if demos.count > 1 {
            let n = Double(demos.count)
            let entropy = sections.values.reduce(0.0) { h, c in let p = Double(c) / n; return h - p * log2(p) }
            q.topicSpread = entropy / log2(n)
        } else {
            q.topicSpread = 0
        }
        let steps = demos.flatMap(\.steps)
        if !steps.isEmpty { q.templateRationaleRate = Double(steps.filter(\.templateRationale).count) / Double(steps.count) }
        q.groundedRate = Double(demos.filter { GroundingCheck.isGrounded($0) }.count) / Double(demos.count)
        q.instructionFilterPassRate = Double(demos.filter { InstructionFilter.accepts($0.instruction) }.count) / Double(demos.count)
    }

    /// The first path segment of a URL ("/" for the home page), a coarse topic of where a task ends.
    static func section(of url: String) -> String {
        let path = URLComponents(string: url)?.path ?? url
        return "/" + (path.split(separator: "/").first.map(String.init) ?? "")
    }

    static func showsSignOut(_ observation: String) -> Bool {
        let lower = observation.lowercased()
        return ["'log out'", "'sign out'", "'logout'", "'sign off'", "signed in as"].contains { lower.contains($0) }
    }
}
