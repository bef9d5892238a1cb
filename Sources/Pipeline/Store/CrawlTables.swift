import Foundation
import GRDB

/// The crawl store's tables as data (after migration v6), so rows can be copied between stores and
/// backends (merging shards, a PostgreSQL store read through a SQLite snapshot) without a second,
/// hand-kept copy of every column list. Autoincrement ids are left out: copies get new ones, in the
/// table's `order`.
public struct CrawlTable: Sendable {
    public enum Kind: Sendable { case integer, real, text, blob }
    public var name: String
    public var columns: [(name: String, kind: Kind)]
    /// `ORDER BY` that makes a copy deterministic.
    public var order: String

    public var columnList: String { columns.map(\.name).joined(separator: ", ") }
    public func position(of column: String) -> Int { columns.firstIndex { $0.name == column }! }

    public static let run = CrawlTable(name: "run", columns: [
        ("id", .integer), ("created_at", .text), ("model", .text), ("sites", .text), ("episodes", .integer),
        ("config_json", .text),
    ], order: "id")
    public static let episodes = CrawlTable(name: "episodes", columns: [
        ("idx", .integer), ("site", .text), ("persona", .text), ("start_url", .text), ("status", .text),
        ("stop_reason", .text), ("stop_detail", .text), ("error", .text), ("shard", .text), ("instance", .integer),
        ("actions", .integer), ("started_at", .text), ("finished_at", .text), ("task_reward", .real), ("account", .text),
    ], order: "idx")
    public static let steps = CrawlTable(name: "steps", columns: [
        ("episode", .integer), ("idx", .integer), ("url", .text), ("observation", .text), ("raw_output", .text),
        ("action", .text), ("action_description", .text), ("state_change", .text), ("state_change_raw", .text),
        ("constrained", .integer), ("error", .text), ("locator_json", .text), ("screenshot", .blob),
    ], order: "episode, idx")
    public static let modelCalls = CrawlTable(name: "model_calls", columns: [
        ("episode", .integer), ("step", .integer), ("module", .text), ("request_hash", .text), ("response", .text),
        ("prompt_tokens", .integer), ("completion_tokens", .integer), ("latency", .real), ("cached", .integer),
    ], order: "episode, id")
    public static let checkpoints = CrawlTable(name: "checkpoints", columns: [
        ("episode", .integer), ("depth", .integer), ("instruction", .text), ("raw_label", .text), ("score", .real),
        ("raw_judge", .text), ("decision", .text), ("detail", .text), ("demonstration_note", .text),
        ("consistency", .real),
    ], order: "episode, depth")
    public static let demonstrations = CrawlTable(name: "demonstrations", columns: [
        ("episode", .integer), ("depth", .integer), ("instruction", .text), ("normalized_instruction", .text),
        ("judge_score", .real), ("rationales_json", .text), ("template_rationales", .integer), ("stop_action", .text),
        ("stop_raw", .text), ("stop_parsed", .integer),
    ], order: "episode, depth")
    public static let replays = CrawlTable(name: "replays", columns: [
        ("episode", .integer), ("depth", .integer), ("site", .text), ("steps_resolved", .integer), ("steps", .integer),
        ("same_url", .integer), ("same_state", .integer), ("detail", .text), ("replayed_at", .text),
    ], order: "episode, depth")

    /// The tables that belong to an episode (everything but `run`), parents first.
    public static let episodeTables: [CrawlTable] = [episodes, steps, modelCalls, checkpoints, demonstrations, replays]
}

/// One column value, as both backends store it.
public enum CrawlValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    /// Bytes (a step's screenshot).
    case blob(Data)

    public var int: Int? { if case .integer(let i) = self { return Int(i) } else { return nil } }
    public var string: String? { if case .text(let s) = self { return s } else { return nil } }

    public init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let i): self = .integer(i)
        case .double(let d): self = .real(d)
        case .string(let s): self = .text(s)
        case .blob(let b): self = .blob(b)
        }
    }

    public var databaseValue: DatabaseValue {
        switch self {
        case .null: return .null
        case .integer(let i): return i.databaseValue
        case .real(let d): return d.databaseValue
        case .text(let s): return s.databaseValue
        case .blob(let b): return b.databaseValue
        }
    }
}

extension CrawlStore {
    /// Every row of `table` (in its copy order), optionally only of completed episodes.
    public func rows(of table: CrawlTable, completedOnly: Bool = false) throws -> [[CrawlValue]] {
        let key = table.name == "episodes" ? "idx" : "episode"
        let filter = completedOnly && table.name != "run"
            ? " WHERE \(key) IN (SELECT idx FROM episodes WHERE status = 'completed')" : ""
        return try database.read { db in
            try Row.fetchAll(db, sql: "SELECT \(table.columnList) FROM \(table.name)\(filter) ORDER BY \(table.order)")
                .map { row in (0..<row.count).map { CrawlValue(row[$0] as DatabaseValue) } }
        }
    }
}
