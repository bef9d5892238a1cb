import Foundation
import GRDB
import LanguageModels
import NNetnavSupport
@testable import Pipeline

enum CrawlFixtures {
    static let prompts: PromptLibrary = try! PromptLibrary(directory: ProjectLayout.current.prompts)

    static func config(_ edit: (inout ExplorationConfig) -> Void = { _ in }) -> ExplorationConfig {
        var config = ExplorationConfig()
        config.maxActions = 16
        edit(&config)
        return config
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func crawler(model: any ChatModel, store: CrawlStore, pool: StaticSitePool, episodes: Int,
                        config: ExplorationConfig = config(), shard: Shard = .all) -> Crawler {
        Crawler(model: model, prompts: prompts, config: config, store: store, environments: pool, sites: ["shop"],
                episodes: episodes, shard: shard)
    }

    /// The store's content without timestamps, row ids or instance numbers, for comparing two crawls.
    static func dump(_ store: CrawlStore) throws -> [String] {
        try store.database.read { db in
            var lines: [String] = []
            for row in try Row.fetchAll(db, sql: "SELECT idx, site, persona, start_url, status, stop_reason, stop_detail, actions FROM episodes ORDER BY idx") {
                lines.append("episode \(row.description)")
            }
            for row in try Row.fetchAll(db, sql: "SELECT * FROM steps ORDER BY episode, idx") { lines.append("step \(row.description)") }
            for row in try Row.fetchAll(db, sql: "SELECT * FROM checkpoints ORDER BY episode, depth") { lines.append("checkpoint \(row.description)") }
            for row in try Row.fetchAll(db, sql: """
                SELECT episode, depth, instruction, judge_score, rationales_json, template_rationales, stop_action
                FROM demonstrations ORDER BY episode, depth
                """) { lines.append("demonstration \(row.description)") }
            for row in try Row.fetchAll(db, sql: """
                SELECT episode, step, module, request_hash, response FROM model_calls ORDER BY episode, id
                """) { lines.append("call \(row.description)") }
            return lines
        }
    }
}
