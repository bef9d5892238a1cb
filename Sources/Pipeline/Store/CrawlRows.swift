import Foundation

/// The rows `CrawlStore` writes for an episode, as `CrawlValue`s in `CrawlTable` column order, for
/// backends that commit an episode at its end (PostgresStore). Each mirrors one `CrawlStore` write,
/// so a crawl exported from either backend is the same file.
public enum CrawlRows {
    public static func episode(_ plan: EpisodePlan, startURL: String, account: String?, shard: String, instance: Int,
                               startedAt: String, outcome: EpisodeOutcome) -> [CrawlValue] {
        [.integer(Int64(plan.index)), .text(plan.site), .text(plan.persona.text), .text(startURL), .text("completed"),
         .text(outcome.stopReason.rawValue), .text(outcome.stopDetail), .null, .text(shard), .integer(Int64(instance)),
         .integer(Int64(outcome.steps.count - 1)), .text(startedAt), .text(now()),
         outcome.pageTaskResult.map { .real($0.reward) } ?? .null, account.map(CrawlValue.text) ?? .null]
    }

    public static func step(_ step: ExploredStep, episode: Int) throws -> [CrawlValue] {
        [.integer(Int64(episode)), .integer(Int64(step.index)), .text(step.url), .text(step.observation),
         text(step.rawOutput), text(step.action), text(step.actionDescription), text(step.stateChange),
         text(step.stateChangeRaw), .integer(step.constrained ? 1 : 0), text(step.error),
         text(try step.locator.map { String(decoding: try JSONLinesEncoding.encoder.encode($0), as: UTF8.self) }),
         step.screenshot.map(CrawlValue.blob) ?? .null]
    }

    /// `note`: the demonstration note `finishEpisode` sets ("kept", a skip reason, or nil).
    public static func checkpoint(_ c: Checkpoint, episode: Int, note: String?) -> [CrawlValue] {
        [.integer(Int64(episode)), .integer(Int64(c.depth)), text(c.instruction), .text(c.rawLabel), real(c.score),
         text(c.rawJudge), .text(c.decision), .text(c.detail), text(note), real(c.consistency)]
    }

    public static func modelCall(_ call: ModelCallRecord, episode: Int) -> [CrawlValue] {
        [.integer(Int64(episode)), .integer(Int64(call.step)), .text(call.module.rawValue), .text(call.requestHash),
         .text(call.response), .integer(Int64(call.promptTokens)), .integer(Int64(call.completionTokens)),
         .real(call.latencySeconds), .integer(call.cached ? 1 : 0)]
    }

    public static func demonstration(_ demo: Demonstration, episode: Int) throws -> [CrawlValue] {
        let rationales = try JSONLinesEncoding.encoder.encode(demo.steps.map {
            StoredRationale(text: $0.rationale, template: $0.templateRationale)
        })
        return [.integer(Int64(episode)), .integer(Int64(demo.depth)), .text(demo.instruction),
                .text(TextMeasures.normalized(demo.instruction)), real(demo.judgeScore),
                .text(String(decoding: rationales, as: UTF8.self)),
                .integer(Int64(demo.steps.filter(\.templateRationale).count)), .text(demo.stopAction),
                .text(demo.stopRaw), .integer(demo.stopParsed ? 1 : 0)]
    }

    public static func now() -> String { CrawlStore.now() }

    static func text(_ s: String?) -> CrawlValue { s.map(CrawlValue.text) ?? .null }
    static func real(_ d: Double?) -> CrawlValue { d.map(CrawlValue.real) ?? .null }
}
