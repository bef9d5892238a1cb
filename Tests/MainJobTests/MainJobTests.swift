import Foundation
import XCTest
@testable import MainJob
import NNetnavSupport
import Pipeline
import TestSupport

/// The main job end to end, sized to finish in a few minutes: one short episode explored by the
/// scripted test double (`CannedChatModel`, whose crawls always yield demonstrations), two training
/// steps of the real embedded model on them, and one evaluation task before and after.
final class MainJobTests: XCTestCase {
    func testTinyMainJobRunsEveryStageAndSummarises() async throws {
        let layout = ProjectLayout.current
        _ = try TestRequirements.embeddedModel()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-mainjob-\(UUID())")
        defer { try? FileManager.default.removeItem(at: out) }
        var config = MainJobConfig()
        config.output = out.path
        config.sites = ["shop"]
        config.instances = 1
        config.episodes = 1
        config.exploration.maxActions = 4
        config.exploration.maxObservationTokens = 400
        config.training.steps = 2
        // Rows are rendered to fit the trainer's sequence (the system prompt and user frame take ~700 tokens).
        config.training.sequenceLength = 1024
        config.export.maxSequenceTokens = 1024
        config.evaluation.tasksPerSite = 1
        config.evaluation.maxSteps = 2
        config.evaluation.policyMaxTokens = 24

        var job = MainJob(config: config, layout: layout, log: { _ in })
        job.explorer = CannedChatModel(prompts: try PromptLibrary(directory: layout.prompts))
        let summary = try await job.run()

        XCTAssertEqual(summary.crawl?.completed, 1, "the one episode ran to an end (stop, prune or step limit)")
        XCTAssertEqual(summary.before?.overall.total, 1)
        let stages = summary.stages.map(\.name)
        XCTAssertEqual(Array(stages.prefix(3)), ["sites", "explore", "export"])
        XCTAssertTrue(stages.contains("train"))
        XCTAssertTrue(stages.contains("eval before"))
        // The test double's crawl always yields demonstrations: the model is fine-tuned and evaluated again.
        XCTAssertGreaterThan(summary.demonstrations, 0)
        XCTAssertNotNil(summary.trainingLoss?.first)
        XCTAssertFalse(summary.stages.first { $0.name == "train" }?.result.contains("skipped") ?? true)
        XCTAssertEqual(summary.after?.overall.total, 1)
        XCTAssertTrue(stages.contains("eval after"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("checkpoint/model.gguf").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("eval-before/report.html").path))
        let comparison = try String(contentsOf: out.appendingPathComponent("eval-comparison.html"), encoding: .utf8)
        XCTAssertTrue(comparison.contains("id=\"paired\""), "the job writes the before/after page")
        XCTAssertTrue(comparison.contains("eval-before/report.html") && comparison.contains("eval-after/report.html"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("crawl.sqlite").path))
        let table = summary.table
        print(table)
        XCTAssertTrue(table.contains("explore") && table.contains("held-out task success"), table)
    }
}
