import Foundation
import GRDB
import NNetnavSupport

/// The SQLite crawl store: everything a crawl did, written as it happens.
///
/// Tables: `run` (one row: model, sites, episode count, config JSON), `episodes` (site, persona,
/// status, stop reason, shard, instance, and `task_reward`: the page task's own reward when it
/// ended during the episode, MiniWoB++'s raw reward in [-1, 1], else NULL), `steps` (observation,
/// URL, raw model output, action, description, state-change summary, constrained flag; the last row
/// of an episode is its terminal observation with no action), `model_calls` (module, request hash,
/// answer, tokens, latency, cached), `checkpoints` (depth, instruction, raw label, score, raw judge
/// answer, decision and reason) and `demonstrations` (instruction, episode, prefix depth, rationales,
/// stop action).
///
/// Durability and resume: the database runs in WAL mode and every step, checkpoint and model call
/// is its own transaction, so a kill loses at most the step in flight. Demonstrations and the
/// episode's `completed` status are committed together. On restart, completed episodes are
/// skipped; an episode that was running (or failed) is deleted and restarts from its start after
/// its site instance is reset. Its seeds are derived from the episode index, so with the response
/// cache its replayed model calls are free and it follows the same path.
public final class CrawlStore: Sendable {
    public let database: any DatabaseWriter
    public let path: String?
    private let writerLock = LockedValue<StoreWriterLock?>(nil)

    /// Opens (creating if needed) a store file.
    public init(path: String) throws {
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        database = try DatabasePool(path: path, configuration: configuration)
        self.path = path
        try Self.migrator.migrate(database)
    }

    /// An in-memory store, for tests and dry runs.
    public init() throws {
        database = try DatabaseQueue()
        path = nil
        try Self.migrator.migrate(database)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
            CREATE TABLE run (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                created_at TEXT NOT NULL,
                model TEXT NOT NULL,
                sites TEXT NOT NULL,
                episodes INTEGER NOT NULL,
                config_json TEXT NOT NULL
            );
            CREATE TABLE episodes (
                idx INTEGER PRIMARY KEY,
                site TEXT NOT NULL,
                persona TEXT NOT NULL,
                start_url TEXT NOT NULL,
                status TEXT NOT NULL,
                stop_reason TEXT,
                stop_detail TEXT,
                error TEXT,
                shard TEXT NOT NULL,
                instance INTEGER NOT NULL,
                actions INTEGER NOT NULL DEFAULT 0,
                started_at TEXT NOT NULL,
                finished_at TEXT
            );
            CREATE TABLE steps (
                episode INTEGER NOT NULL REFERENCES episodes(idx) ON DELETE CASCADE,
                idx INTEGER NOT NULL,
                url TEXT NOT NULL,
                observation TEXT NOT NULL,
                raw_output TEXT,
                action TEXT,
                action_description TEXT,
                state_change TEXT,
                state_change_raw TEXT,
                constrained INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (episode, idx)
            );
            CREATE TABLE model_calls (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                episode INTEGER NOT NULL REFERENCES episodes(idx) ON DELETE CASCADE,
                step INTEGER NOT NULL,
                module TEXT NOT NULL,
                request_hash TEXT NOT NULL,
                response TEXT NOT NULL,
                prompt_tokens INTEGER NOT NULL,
                completion_tokens INTEGER NOT NULL,
                latency REAL NOT NULL,
                cached INTEGER NOT NULL
            );
            CREATE INDEX model_calls_episode ON model_calls(episode);
            CREATE TABLE checkpoints (
                episode INTEGER NOT NULL REFERENCES episodes(idx) ON DELETE CASCADE,
                depth INTEGER NOT NULL,
                instruction TEXT,
                raw_label TEXT NOT NULL,
                score REAL,
                raw_judge TEXT,
                decision TEXT NOT NULL,
                detail TEXT NOT NULL,
                demonstration_note TEXT,
                PRIMARY KEY (episode, depth)
            );
            CREATE TABLE demonstrations (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                episode INTEGER NOT NULL REFERENCES episodes(idx) ON DELETE CASCADE,
                depth INTEGER NOT NULL,
                instruction TEXT NOT NULL,
                normalized_instruction TEXT NOT NULL UNIQUE,
                judge_score REAL,
                rationales_json TEXT NOT NULL,
                template_rationales INTEGER NOT NULL,
                stop_action TEXT NOT NULL,
                stop_raw TEXT NOT NULL,
                stop_parsed INTEGER NOT NULL,
                UNIQUE (episode, depth)
            );
            """)
        }
        // Added with MiniWoB++ exploration; older stores gain the column (NULL for their episodes).
        migrator.registerMigration("v2-task-reward") { db in
            try db.execute(sql: "ALTER TABLE episodes ADD COLUMN task_reward REAL")
        }
        // The browser's error for an action that failed (missing element, refused URL, HTTP error):
        // such a step stays in the history but is never a training target.
        migrator.registerMigration("v3-step-error") { db in
            try db.execute(sql: "ALTER TABLE steps ADD COLUMN error TEXT")
        }
        // The account an episode explored signed in as (NULL: signed out, or a site without accounts).
        migrator.registerMigration("v4-episode-account") { db in
            try db.execute(sql: "ALTER TABLE episodes ADD COLUMN account TEXT")
        }
        // Replayable steps and the contrastive consistency score (Pipeline/Quality); older rows get NULL.
        migrator.registerMigration("v5-quality") { db in
            try db.execute(sql: "ALTER TABLE steps ADD COLUMN locator_json TEXT")
            try db.execute(sql: "ALTER TABLE checkpoints ADD COLUMN consistency REAL")
            try db.execute(sql: """
                CREATE TABLE replays (
                    episode INTEGER NOT NULL,
                    depth INTEGER NOT NULL,
                    site TEXT NOT NULL,
                    steps_resolved INTEGER NOT NULL,
                    steps INTEGER NOT NULL,
                    same_url INTEGER NOT NULL,
                    same_state INTEGER NOT NULL,
                    detail TEXT NOT NULL,
                    replayed_at TEXT NOT NULL,
                    PRIMARY KEY (episode, depth)
                )
                """)
        }
        // The page of each step as a JPEG, for crawls in Chromium (`StepScreenshots`); NULL for the
        // native backend and for steps recorded before.
        migrator.registerMigration("v6-step-screenshot") { db in
            try db.execute(sql: "ALTER TABLE steps ADD COLUMN screenshot BLOB")
        }
        return migrator
    }

    static func now() -> String { ISO8601DateFormatter().string(from: Date()) }

    // MARK: Run

    public struct RunInfo: Sendable, Hashable {
        public var model: String
        public var sites: [String]
        public var episodes: Int
        public var config: ExplorationConfig
    }

    /// Records the run, or checks that a resumed run uses the same model, sites, episode count and
    /// config; either way this store object becomes the store's only writer until it is released
    /// (a second crawl on the same file, in this process or another, is refused).
    public func begin(model: String, sites: [String], episodes: Int, config: ExplorationConfig) throws {
        try acquireWriterLock()
        let json = String(decoding: try JSONLinesEncoding.encoder.encode(config), as: UTF8.self)
        try database.write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM run WHERE id = 1") {
                let storedSites: String = row["sites"], storedConfig: String = row["config_json"]
                let storedEpisodes: Int = row["episodes"], storedModel: String = row["model"]
                let fix = "use a new --store, or resume with the options it was made with"
                guard storedModel == model else {
                    throw CrawlStoreError.mismatchedRun("it was made with model \(storedModel), not \(model); \(fix)")
                }
                guard storedSites == sites.joined(separator: ",") else {
                    throw CrawlStoreError.mismatchedRun("it was made for sites \(storedSites), not \(sites.joined(separator: ",")); \(fix)")
                }
                guard storedEpisodes == episodes else {
                    throw CrawlStoreError.mismatchedRun("it was made for \(storedEpisodes) episodes, not \(episodes); \(fix)")
                }
                guard storedConfig == json else {
                    throw CrawlStoreError.mismatchedRun("it was made with another exploration config; \(fix)")
                }
            } else {
                try db.execute(sql: "INSERT INTO run (id, created_at, model, sites, episodes, config_json) VALUES (1, ?, ?, ?, ?, ?)",
                               arguments: [Self.now(), model, sites.joined(separator: ","), episodes, json])
            }
        }
    }

    /// Takes the store's writer lock (an advisory `flock` on `<store>.lock`, released when the
    /// process ends even by a crash), once per store object.
    func acquireWriterLock() throws {
        guard let path else { return }
        try writerLock.withLock { held in
            if held == nil { held = try StoreWriterLock(storePath: path) }
        }
    }

    /// Gives up the writer lock, so another crawl may write to the store.
    public func releaseWriterLock() {
        writerLock.withLock { $0 = nil }
    }

    public func runInfo() throws -> RunInfo? {
        try database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM run WHERE id = 1") else { return nil }
            let json: String = row["config_json"]
            let sites: String = row["sites"]
            return RunInfo(model: row["model"], sites: sites.split(separator: ",").map(String.init),
                           episodes: row["episodes"],
                           config: try JSONDecoder().decode(ExplorationConfig.self, from: Data(json.utf8)))
        }
    }

    // MARK: Episodes

    /// Uncached model calls per episode (index → count): a crawl cannot finish before its longest
    /// episode's calls have run one after another, whatever the concurrency.
    public func uncachedModelCallsPerEpisode() throws -> [Int: Int] {
        try database.read { db in
            var counts: [Int: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT episode, COUNT(*) AS n FROM model_calls WHERE cached = 0 GROUP BY episode") {
                counts[row["episode"]] = row["n"]
            }
            return counts
        }
    }

    public func completedEpisodes() throws -> Set<Int> {
        try database.read { db in Set(try Int.fetchAll(db, sql: "SELECT idx FROM episodes WHERE status = 'completed'")) }
    }

    /// Starts (or restarts) an episode: anything an interrupted attempt left is deleted first.
    public func startEpisode(_ plan: EpisodePlan, startURL: String, account: String? = nil, shard: String,
                             instance: Int) async throws {
        try await database.write { db in
            try Self.deleteEpisode(plan.index, db)
            try db.execute(sql: """
                INSERT INTO episodes (idx, site, persona, start_url, status, shard, instance, started_at, account)
                VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?)
                """, arguments: [plan.index, plan.site, plan.persona.text, startURL, shard, instance, Self.now(), account])
        }
    }

    static func deleteEpisode(_ index: Int, _ db: Database) throws {
        for table in ["steps", "model_calls", "checkpoints", "demonstrations"] {
            try db.execute(sql: "DELETE FROM \(table) WHERE episode = ?", arguments: [index])
        }
        try db.execute(sql: "DELETE FROM episodes WHERE idx = ?", arguments: [index])
    }

    public func record(step: ExploredStep, episode: Int) async throws {
        try await database.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO steps (episode, idx, url, observation, raw_output, action, action_description,
                    state_change, state_change_raw, constrained, error, locator_json, screenshot)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [episode, step.index, step.url, step.observation, step.rawOutput, step.action,
                                 step.actionDescription, step.stateChange, step.stateChangeRaw, step.constrained,
                                 step.error,
                                 try step.locator.map { String(decoding: try JSONLinesEncoding.encoder.encode($0), as: UTF8.self) },
                                 step.screenshot])
        }
    }

    public func record(checkpoint c: Checkpoint, episode: Int) async throws {
        try await database.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO checkpoints (episode, depth, instruction, raw_label, score, raw_judge, decision, detail,
                    consistency) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [episode, c.depth, c.instruction, c.rawLabel, c.score, c.rawJudge, c.decision, c.detail,
                                 c.consistency])
        }
    }

    public func record(call: ModelCallRecord, episode: Int) async throws {
        try await database.write { db in
            try db.execute(sql: """
                INSERT INTO model_calls (episode, step, module, request_hash, response, prompt_tokens, completion_tokens,
                    latency, cached) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [episode, call.step, call.module.rawValue, call.requestHash, call.response,
                                 call.promptTokens, call.completionTokens, call.latencySeconds, call.cached])
        }
    }

    /// Commits the demonstrations and marks the episode completed, in one transaction.
    public func finishEpisode(_ index: Int, outcome: EpisodeOutcome, demonstrations: [Demonstration],
                              skipped: [DemonstrationBuilder.Skipped]) async throws {
        let encoder = JSONLinesEncoding.encoder
        let rows = try demonstrations.map { demo -> (Demonstration, String) in
            (demo, String(decoding: try encoder.encode(demo.steps.map { StoredRationale(text: $0.rationale, template: $0.templateRationale) }),
                          as: UTF8.self))
        }
        try await database.write { db in
            for (demo, rationales) in rows {
                try db.execute(sql: """
                    INSERT INTO demonstrations (episode, depth, instruction, normalized_instruction, judge_score,
                        rationales_json, template_rationales, stop_action, stop_raw, stop_parsed)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [index, demo.depth, demo.instruction, TextMeasures.normalized(demo.instruction),
                                     demo.judgeScore, rationales, demo.steps.filter(\.templateRationale).count,
                                     demo.stopAction, demo.stopRaw, demo.stopParsed])
                try db.execute(sql: "UPDATE checkpoints SET demonstration_note = 'kept' WHERE episode = ? AND depth = ?",
                               arguments: [index, demo.labeledDepth])
            }
            for skip in skipped {
                try db.execute(sql: "UPDATE checkpoints SET demonstration_note = ? WHERE episode = ? AND depth = ?",
                               arguments: [skip.reason, index, skip.depth])
            }
            try db.execute(sql: """
                UPDATE episodes SET status = 'completed', stop_reason = ?, stop_detail = ?, actions = ?, task_reward = ?,
                    finished_at = ?
                WHERE idx = ?
                """, arguments: [outcome.stopReason.rawValue, outcome.stopDetail, outcome.steps.count - 1,
                                 outcome.pageTaskResult?.reward, Self.now(), index])
        }
    }

    /// Marks an episode failed (model server down, browser error); a resumed crawl redoes it.
    public func failEpisode(_ index: Int, error: String) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE episodes SET status = 'failed', error = ?, finished_at = ? WHERE idx = ?",
                           arguments: [error, Self.now(), index])
        }
    }

    // MARK: Reading

    /// All kept instructions, for the deduplication registry of a resumed crawl.
    public func keptInstructions() throws -> [String] {
        try database.read { db in try String.fetchAll(db, sql: "SELECT instruction FROM demonstrations ORDER BY id") }
    }

    /// Every demonstration of completed episodes, rebuilt from its steps, in (episode, depth) order.
    public func demonstrations() throws -> [Demonstration] {
        try database.read { db in
            let demoRows = try Row.fetchAll(db, sql: """
                SELECT d.*, e.site, e.persona FROM demonstrations d JOIN episodes e ON e.idx = d.episode
                WHERE e.status = 'completed' ORDER BY d.episode, d.depth
                """)
            var stepCache: [Int: [Row]] = [:]
            return try demoRows.map { row in
                let episode: Int = row["episode"], depth: Int = row["depth"]
                if stepCache[episode] == nil {
                    stepCache = [episode: try Row.fetchAll(db, sql: "SELECT * FROM steps WHERE episode = ? ORDER BY idx",
                                                           arguments: [episode])]
                }
                let steps = stepCache[episode]!
                guard steps.count > depth else {
                    throw CrawlStoreError.corrupt("episode \(episode) has \(steps.count) step rows, demonstration needs \(depth + 1)")
                }
                let rationalesJSON: String = row["rationales_json"]
                let rationales = try JSONDecoder().decode([StoredRationale].self, from: Data(rationalesJSON.utf8))
                // One rationale per demonstration step: a demonstration that starts after the episode's first
                // step (`Demonstration.start`) stored fewer rationales than its depth.
                guard rationales.count <= depth else {
                    throw CrawlStoreError.corrupt("demonstration \(episode):\(depth) has \(rationales.count) rationales for \(depth) steps")
                }
                let start = depth - rationales.count
                let demoSteps = (start..<depth).map { i -> Demonstration.Step in
                    let s = steps[i]
                    let action: String = s["action"] ?? ""
                    let rationale = rationales[i - start]
                    return Demonstration.Step(url: s["url"], observation: s["observation"], action: action,
                                              actionDescription: s["action_description"] ?? action,
                                              stateChange: s["state_change"] ?? "", rationale: rationale.text,
                                              templateRationale: rationale.template, error: s["error"],
                                              locator: (s["locator_json"] as String?).flatMap {
                                                  try? JSONDecoder().decode(StepLocator.self, from: Data($0.utf8)) })
                }
                let final = steps[depth]
                return Demonstration(episode: episode, site: row["site"], persona: row["persona"], depth: depth,
                                     instruction: row["instruction"], judgeScore: row["judge_score"], steps: demoSteps,
                                     finalURL: final["url"], finalObservation: final["observation"],
                                     stopAction: row["stop_action"], stopRaw: row["stop_raw"],
                                     stopParsed: row["stop_parsed"])
            }
        }
    }
}

public enum CrawlStoreError: Error, CustomStringConvertible, Sendable {
    case mismatchedRun(String)
    case corrupt(String)
    case inUse(path: String, holder: String)
    case cannotMerge(String)
    public var description: String {
        switch self {
        case .inUse(let path, let holder):
            return "crawl store \(path) is in use by another crawl (\(holder)); wait for it to finish or use another --store"
        case .mismatchedRun(let m): return "cannot resume this crawl store: \(m)"
        case .corrupt(let m): return "crawl store is inconsistent: \(m)"
        case .cannotMerge(let m): return "cannot merge crawl stores: \(m)"
        }
    }
}

/// One step's reasoning as stored in `demonstrations.rationales_json`.
struct StoredRationale: Codable {
    var text: String
    var template: Bool
}

/// Sorted-key JSON, so stored configs compare byte for byte.
enum JSONLinesEncoding {
    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}

/// The explorer's sink for one episode of a store.
public struct StoreEpisodeSink: EpisodeSink {
    public let store: CrawlStore
    public let episode: Int
    public init(store: CrawlStore, episode: Int) { self.store = store; self.episode = episode }
    public func record(step: ExploredStep) async throws { try await store.record(step: step, episode: episode) }
    public func record(checkpoint: Checkpoint) async throws { try await store.record(checkpoint: checkpoint, episode: episode) }
}
