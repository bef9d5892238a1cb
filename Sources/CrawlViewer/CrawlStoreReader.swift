import Foundation
import GRDB

/// Read-only access to a crawl store for the viewer.
///
/// The viewer never writes: the file is opened read-only (no migration, no WAL checkpoint), so it can
/// be pointed at a store a crawl is still writing. Queries name only the columns of the first schema
/// version plus the optional columns later versions added, which are looked up once, so the viewer
/// reads old and new stores alike.
public final class CrawlStoreReader: Sendable {
    let database: DatabaseQueue
    let episodeColumns: Set<String>
    /// Stores before migration v6 have no `steps.screenshot`.
    let hasScreenshots: Bool

    public init(path: String) throws {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ViewerError.noStore(path)
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        database = try DatabaseQueue(path: path, configuration: configuration)
        let names = try database.read { db -> (tables: Set<String>, episodeColumns: Set<String>, stepColumns: Set<String>) in
            let tables = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
            let columns = Set(try Row.fetchAll(db, sql: "PRAGMA table_info(episodes)").map { $0["name"] as String })
            let stepColumns = Set(try Row.fetchAll(db, sql: "PRAGMA table_info(steps)").map { $0["name"] as String })
            return (tables, columns, stepColumns)
        }
        for table in ["run", "episodes", "steps", "checkpoints", "demonstrations"] where !names.tables.contains(table) {
            throw ViewerError.notACrawlStore(path, missing: table)
        }
        episodeColumns = names.episodeColumns
        hasScreenshots = names.stepColumns.contains("screenshot")
    }

    // MARK: Rows the pages show

    public struct RunSummary: Sendable {
        public var createdAt: String, model: String, sites: String, plannedEpisodes: Int
    }

    public struct EpisodeRow: Sendable {
        public var index: Int, site: String, persona: String, startURL: String, status: String
        public var stopReason: String?, stopDetail: String?, error: String?, actions: Int
        public var demonstrations: Int, checkpoints: Int, prunedAtDepth: Int?, bestScore: Double?
        public var templateRationales: Int, taskReward: Double?
        /// Kept when at least one prefix became a demonstration.
        public var kept: Bool { demonstrations > 0 }
    }

    public struct StepRow: Sendable {
        public var index: Int, url: String, observation: String, rawOutput: String?, action: String?
        public var actionDescription: String?, stateChange: String?, constrained: Bool
        /// The step has a screenshot (`screenshot(episode:step:)` reads it; lists never load the bytes).
        public var hasScreenshot: Bool
    }

    public struct CheckpointRow: Sendable {
        public var depth: Int, instruction: String?, rawLabel: String, score: Double?, rawJudge: String?
        public var decision: String, detail: String, demonstrationNote: String?
    }

    public struct DemonstrationRow: Sendable {
        public var id: Int, episode: Int, depth: Int, instruction: String, judgeScore: Double?
        public var rationales: [String], templateRationales: Int, stopAction: String, site: String
    }

    public func run() throws -> RunSummary? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT created_at, model, sites, episodes FROM run WHERE id = 1").map {
                RunSummary(createdAt: $0["created_at"], model: $0["model"], sites: $0["sites"], plannedEpisodes: $0["episodes"])
            }
        }
    }

    public func episodes() throws -> [EpisodeRow] {
        let reward = episodeColumns.contains("task_reward") ? "e.task_reward" : "NULL"
        return try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT e.idx, e.site, e.persona, e.start_url, e.status, e.stop_reason, e.stop_detail, e.error, e.actions,
                       \(reward) AS task_reward,
                       (SELECT COUNT(*) FROM demonstrations d WHERE d.episode = e.idx) AS demos,
                       (SELECT COALESCE(SUM(template_rationales), 0) FROM demonstrations d WHERE d.episode = e.idx) AS templates,
                       (SELECT COUNT(*) FROM checkpoints c WHERE c.episode = e.idx) AS checkpoints,
                       (SELECT MIN(depth) FROM checkpoints c WHERE c.episode = e.idx AND c.decision <> 'accept') AS pruned_at,
                       (SELECT MAX(score) FROM checkpoints c WHERE c.episode = e.idx) AS best_score
                FROM episodes e ORDER BY e.idx
                """).map { row in
                EpisodeRow(index: row["idx"], site: row["site"], persona: row["persona"], startURL: row["start_url"],
                           status: row["status"], stopReason: row["stop_reason"], stopDetail: row["stop_detail"],
                           error: row["error"], actions: row["actions"], demonstrations: row["demos"],
                           checkpoints: row["checkpoints"], prunedAtDepth: row["pruned_at"], bestScore: row["best_score"],
                           templateRationales: row["templates"], taskReward: row["task_reward"])
            }
        }
    }

    public func steps(episode: Int) throws -> [StepRow] {
        let shot = hasScreenshots ? "screenshot IS NOT NULL" : "0"
        return try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT idx, url, observation, raw_output, action, action_description, state_change, constrained,
                       \(shot) AS has_screenshot
                FROM steps WHERE episode = ? ORDER BY idx
                """, arguments: [episode]).map { row in
                StepRow(index: row["idx"], url: row["url"], observation: row["observation"], rawOutput: row["raw_output"],
                        action: row["action"], actionDescription: row["action_description"],
                        stateChange: row["state_change"], constrained: row["constrained"], hasScreenshot: row["has_screenshot"])
            }
        }
    }

    /// The stored screenshot of one step, or nil (native-backend crawls, older stores).
    public func screenshot(episode: Int, step: Int) throws -> Data? {
        guard hasScreenshots else { return nil }
        return try database.read { db in
            try Data.fetchOne(db, sql: "SELECT screenshot FROM steps WHERE episode = ? AND idx = ?", arguments: [episode, step])
        }
    }

    public func checkpoints(episode: Int) throws -> [CheckpointRow] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT depth, instruction, raw_label, score, raw_judge, decision, detail, demonstration_note
                FROM checkpoints WHERE episode = ? ORDER BY depth
                """, arguments: [episode]).map { row in
                CheckpointRow(depth: row["depth"], instruction: row["instruction"], rawLabel: row["raw_label"],
                              score: row["score"], rawJudge: row["raw_judge"], decision: row["decision"],
                              detail: row["detail"], demonstrationNote: row["demonstration_note"])
            }
        }
    }

    /// Demonstrations, optionally of one episode or matching a case-insensitive search of the instruction.
    public func demonstrations(episode: Int? = nil, search: String? = nil) throws -> [DemonstrationRow] {
        var conditions: [String] = [], arguments: [any DatabaseValueConvertible] = []
        if let episode { conditions.append("d.episode = ?"); arguments.append(episode) }
        if let search, !search.isEmpty { conditions.append("d.instruction LIKE ? ESCAPE '\\'"); arguments.append("%\(Self.likeEscaped(search))%") }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT d.id, d.episode, d.depth, d.instruction, d.judge_score, d.rationales_json, d.template_rationales,
                       d.stop_action, e.site FROM demonstrations d JOIN episodes e ON e.idx = d.episode
                \(filter) ORDER BY d.episode, d.depth
                """, arguments: StatementArguments(arguments)).map { row in
                let json: String = row["rationales_json"]
                let rationales = (try? JSONDecoder().decode([StoredRationale].self, from: Data(json.utf8)))?.map(\.text) ?? []
                return DemonstrationRow(id: row["id"], episode: row["episode"], depth: row["depth"],
                                        instruction: row["instruction"], judgeScore: row["judge_score"],
                                        rationales: rationales, templateRationales: row["template_rationales"],
                                        stopAction: row["stop_action"], site: row["site"])
            }
        }
    }

    /// Model usage per module: calls, tokens and cache hits.
    public func modelUsage() throws -> [(module: String, calls: Int, tokens: Int, cached: Int)] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT module, COUNT(*) AS calls, SUM(prompt_tokens + completion_tokens) AS tokens, SUM(cached) AS cached
                FROM model_calls GROUP BY module ORDER BY calls DESC
                """).map { ($0["module"], $0["calls"], $0["tokens"] ?? 0, $0["cached"] ?? 0) }
        }
    }

    /// Every judge score given, for the score distribution.
    public func judgeScores() throws -> [Double] {
        try database.read { db in try Double.fetchAll(db, sql: "SELECT score FROM checkpoints WHERE score IS NOT NULL") }
    }

    /// How many executed actions of each kind (`click`, `type`, `goto`, ...).
    public func actionMix() throws -> [(kind: String, count: Int)] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT CASE WHEN instr(action, ' ') > 0 THEN substr(action, 1, instr(action, ' ') - 1) ELSE action END AS kind,
                       COUNT(*) AS n FROM steps WHERE action IS NOT NULL GROUP BY kind ORDER BY n DESC
                """).map { ($0["kind"], $0["n"]) }
        }
    }

    /// `LIKE` treats % and _ as wildcards; a search for them must match them literally.
    static func likeEscaped(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }

    /// The stored shape of one rationale (see `CrawlStore`); only its text is shown.
    struct StoredRationale: Decodable { var text: String }
}

public enum ViewerError: Error, CustomStringConvertible {
    case noStore(String)
    case notACrawlStore(String, missing: String)

    public var description: String {
        switch self {
        case .noStore(let path): "no crawl store at \(path)"
        case .notACrawlStore(let path, let table): "\(path) is not a crawl store (it has no \(table) table)"
        }
    }
}
