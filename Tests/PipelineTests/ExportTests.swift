import XCTest
import LanguageModels
import NNetnavSupport
import WebBrowser
@testable import Pipeline
import TestSupport

/// Export rows validated against datasets/schema.md.
final class ExportTests: XCTestCase {
    let prompts = CrawlFixtures.prompts

    func crawledDemonstrations() async throws -> [Demonstration] {
        let store = try CrawlStore()
        _ = try await CrawlFixtures.crawler(model: CannedChatModel(prompts: prompts), store: store,
                                            pool: StaticSitePool(instances: 1), episodes: 1).run()
        return try store.demonstrations()
    }

    /// The SFT row contract of datasets/schema.md.
    static func validate(sft row: ChatSFTRow, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(row.dataset, "nnetnav-swift", file: file, line: line)
        let idParts = row.id.split(separator: ":")
        XCTAssertEqual(idParts.count, 3, "id is episode:depth:step", file: file, line: line)
        XCTAssertTrue(idParts.allSatisfy { Int($0) != nil }, file: file, line: line)
        XCTAssertEqual(row.messages.map(\.role), [.system, .user, .assistant], file: file, line: line)
        let user = row.messages[1].content
        XCTAssertTrue(user.hasPrefix("OBSERVATION:\n"), file: file, line: line)
        for field in ["\nURL: ", "\nOBJECTIVE: ", "\nPREVIOUS ACTIONS:\n1: None"] {
            XCTAssertTrue(user.contains(field), "user message lacks \(field.debugDescription)", file: file, line: line)
        }
        let target = row.messages[2].content
        XCTAssertTrue(target.hasPrefix("Let's think step-by-step."), file: file, line: line)
        XCTAssertTrue(target.hasSuffix("```"), file: file, line: line)
        XCTAssertTrue(ActionParser.parse(response: target).isValid, file: file, line: line)
    }

    func testExportWritesValidChatAndTrajectoryRowsSplitByEpisode() async throws {
        let demos = try await crawledDemonstrations()
        XCTAssertEqual(demos.count, 2)
        let dir = try CrawlFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var exporter = DatasetExporter(studentPrompt: StudentPrompt(template: prompts.studentPolicy))
        exporter.validationPercent = 0
        let summary = try exporter.export(demos, to: dir)
        // `NNETNAV_WRITE_SAMPLE=DIR swift test --filter ExportTests` refreshes datasets/sample from this crawl.
        if let sample = ProcessInfo.processInfo.environment["NNETNAV_WRITE_SAMPLE"], !sample.isEmpty {
            _ = try exporter.export(demos, to: URL(fileURLWithPath: sample))
        }
        XCTAssertEqual(summary.rows[.train], 5 + 9)
        XCTAssertEqual(summary.rows[.validation], 0)
        XCTAssertEqual(summary.droppedRows, 0)

        let rows = try JSONLines.read(ChatSFTRow.self, from: dir.appendingPathComponent("sft_train.jsonl"))
        XCTAssertEqual(rows.count, 14)
        for row in rows { Self.validate(sft: row) }
        XCTAssertEqual(rows.map(\.id).prefix(5), ["0:4:0", "0:4:1", "0:4:2", "0:4:3", "0:4:4"])
        XCTAssertEqual(rows[0].messages[0].content, prompts.studentPolicy.system)
        XCTAssertTrue(rows[1].messages[1].content.contains(
            "PREVIOUS ACTIONS:\n1: None\n2: click [10] where [10] is link 'Electronics'"))
        XCTAssertTrue(rows[1].messages[1].content.contains("OBJECTIVE: Open the One Stop Market page after visiting 4 pages\n"))
        XCTAssertTrue(rows[0].messages[2].content.hasSuffix("```click [10]```"))
        XCTAssertEqual(rows[4].messages[2].content,
                       "Let's think step-by-step. I have finished my tasks. In summary, the next action I will perform is ```stop [One Stop Market]```")

        // Every key the schema documents is present in the raw JSON.
        let firstLine = try String(contentsOf: dir.appendingPathComponent("trajectories_train.jsonl"), encoding: .utf8)
            .split(separator: "\n")[0]
        let object = try JSONSerialization.jsonObject(with: Data(firstLine.utf8)) as! [String: Any]
        XCTAssertEqual(Set(object.keys), ["id", "episode", "depth", "site", "persona", "instruction", "judge_score", "steps",
                                          "final_url", "final_observation", "stop_action", "stop_answer"])
        let step = (object["steps"] as! [[String: Any]])[0]
        XCTAssertEqual(Set(step.keys), ["url", "observation", "action", "action_description", "state_change", "rationale", "locator"])
        let trajectories = try JSONLines.read(TrajectoryRow.self, from: dir.appendingPathComponent("trajectories_train.jsonl"))
        XCTAssertEqual(trajectories.map(\.id), ["0:4", "0:8"])
        XCTAssertEqual(trajectories[1].stop_answer, "Camera $249.00")
        XCTAssertEqual(trajectories[1].steps.count, 8)

        // Split by episode: every row of an episode is on one side.
        exporter.validationPercent = 50
        let sides = Set((0..<40).map { exporter.split(episode: $0) })
        XCTAssertEqual(sides, [.train, .validation])
    }

    /// A demonstration that starts after its episode's first step (a grounded label's, see
    /// `GroundedInstructions.demonstrationStart`) stores one rationale per step it keeps: it reads back as
    /// the episode's last steps with their own rationales, and its SFT row ids name the episode's steps.
    func testADemonstrationStartingMidEpisodeReadsBackAlignedAndExportsNoEmptyTarget() async throws {
        let store = try CrawlStore()
        _ = try await CrawlFixtures.crawler(model: CannedChatModel(prompts: prompts), store: store,
                                            pool: StaticSitePool(instances: 1), episodes: 1).run()
        let whole = try store.demonstrations().first { $0.depth == 8 }!
        let kept = Array(whole.steps.suffix(3))
        let json = String(decoding: try JSONEncoder().encode(kept.map { StoredRationale(text: $0.rationale, template: $0.templateRationale) }),
                          as: UTF8.self)
        try await store.database.write { db in
            try db.execute(sql: "UPDATE demonstrations SET rationales_json = ? WHERE episode = 0 AND depth = 8", arguments: [json])
        }
        let trimmed = try store.demonstrations().first { $0.depth == 8 }!
        XCTAssertEqual(trimmed.start, 5)
        XCTAssertEqual(trimmed.steps, kept)
        var exporter = DatasetExporter(studentPrompt: StudentPrompt(template: prompts.studentPolicy))
        exporter.validationPercent = 0
        let rows = exporter.rows(for: trimmed).compactMap { if case .row(let row) = $0 { row } else { nil } }
        XCTAssertEqual(rows.map(\.id), ["0:8:5", "0:8:6", "0:8:7", "0:8:8"])
        for row in rows { Self.validate(sft: row) }

        let tooMany = String(decoding: try JSONEncoder().encode(Array(repeating: StoredRationale(text: "x", template: true), count: 9)),
                             as: UTF8.self)
        try await store.database.write { db in
            try db.execute(sql: "UPDATE demonstrations SET rationales_json = ? WHERE episode = 0 AND depth = 8", arguments: [tooMany])
        }
        XCTAssertThrowsError(try store.demonstrations())
    }

    func testTruncationKeepsTheTargetWithinTheSequenceBudget() async throws {
        var demo = try await crawledDemonstrations()[0]
        let huge = (0..<20_000).map { "\t[\($0)] link 'Product \($0)'" }.joined(separator: "\n")
        demo.steps[0].observation = huge
        var exporter = DatasetExporter(studentPrompt: StudentPrompt(template: prompts.studentPolicy, maxSequenceTokens: 2048,
                                                                    maxAnswerTokens: 128, tokens: .estimate))
        let row = try XCTUnwrap(exporter.rows(for: demo)[0].row)
        Self.validate(sft: row)
        XCTAssertEqual(row.messages[2].content, demo.steps[0].rationale, "the target survives untouched")
        XCTAssertTrue(row.messages[1].content.contains("[... page truncated ...]"))
        let total = row.messages.map { TextMeasures.estimatedTokens($0.content) }.reduce(0, +)
        XCTAssertLessThanOrEqual(total, 2048)

        exporter.studentPrompt.maxSequenceTokens = 300   // smaller than the system prompt: the row is dropped, not mangled
        XCTAssertEqual(exporter.rows(for: demo)[0], .overBudget(step: 0))
    }

    /// A row whose action names an element the truncated page no longer shows teaches the student to
    /// act on ids it cannot see: it is dropped and counted, and a mention in the history does not count.
    func testARowWhoseTargetWasCutFromThePageIsDropped() throws {
        var demo = StudentPromptTests.demonstration(page: StudentPromptTests.multiBytePage(lines: 400))
        let exporter = DatasetExporter(studentPrompt: StudentPrompt(template: prompts.studentPolicy, maxSequenceTokens: 4096,
                                                                    maxAnswerTokens: 128, tokens: .utf8Bytes))
        XCTAssertNotNil(exporter.rows(for: demo)[0].row, "[10] is the page's first line")
        demo.steps[1].action = "click [400]"
        demo.steps[1].actionDescription = "click [400] where [400] is link '商品'"
        XCTAssertEqual(exporter.rows(for: demo)[1], .hiddenTarget(step: 1), "line 391 of the page is far past the budget")
        demo.steps[1].action = "click [10]"
        XCTAssertNotNil(exporter.rows(for: demo)[1].row, "shown on the page, though the history also names [10]")
        XCTAssertFalse(DatasetExporter.shows(element: 400, in: "PREVIOUS ACTIONS:\n2: click [400] where [400] is link 'x'"))
        XCTAssertTrue(DatasetExporter.shows(element: 400, in: "OBSERVATION:\n\t\t[400] link 'x'"))
    }
}
