import Foundation
import XCTest
@testable import Evaluation
import NNetnavSupport

/// The main job end to end with the real embedded model, sized to finish in a few minutes:
/// one short episode, two training steps, one evaluation task before and after.
final class MainJobTests: XCTestCase {
    func testTinyMainJobRunsEveryStageAndSummarises() async throws {
        let layout = ProjectLayout.current
        if ProcessInfo.processInfo.environment["NNETNAV_SKIP_EMBEDDED_TESTS"] == "1" {
            throw XCTSkip("NNETNAV_SKIP_EMBEDDED_TESTS=1")
        }
        guard FileManager.default.fileExists(atPath: layout.defaultModelFile.path) else {
            throw XCTSkip("the embedded model is not installed (bash scripts/prerequisites.sh fetches it)")
        }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-mainjob-\(UUID())")
        defer { try? FileManager.default.removeItem(at: out) }
        var config = MainJobConfig()
        config.output = out.path
        config.sites = ["shop"]
        config.instances = 1
        config.episodes = 1
        config.exploration.maxActions = 4
        config.exploration.maxObservationTokens = 400
        // Accept any judged prefix so the fine-tuning and second evaluation stages run too.
        config.exploration.judgeThreshold = 1
        config.training.steps = 2
        // Rows are rendered to fit the trainer's sequence (the system prompt alone is ~500 tokens).
        config.training.sequenceLength = 768
        config.export.maxSequenceTokens = 768
        config.evaluation.tasksPerSite = 1
        config.evaluation.maxSteps = 2
        config.evaluation.policyMaxTokens = 24

        let summary = try await MainJob(config: config, layout: layout, log: { _ in }).run()

        XCTAssertEqual(summary.crawl?.completed, 1, "the one episode ran to an end (stop, prune or step limit)")
        XCTAssertEqual(summary.before?.overall.total, 1)
        let stages = summary.stages.map(\.name)
        XCTAssertEqual(Array(stages.prefix(3)), ["sites", "explore", "export"])
        XCTAssertTrue(stages.contains("train"))
        XCTAssertTrue(stages.contains("eval before"))
        if summary.demonstrations > 0 {
            // A demonstration survived the judge: the model was fine-tuned and evaluated again.
            XCTAssertNotNil(summary.trainingLoss?.first)
            XCTAssertEqual(summary.after?.overall.total, 1)
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("checkpoint/model.gguf").path))
        } else {
            XCTAssertTrue(summary.stages.first { $0.name == "train" }!.result.contains("skipped"))
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("eval-before/report.html").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("crawl.sqlite").path))
        let table = summary.table
        print(table)
        XCTAssertTrue(table.contains("explore") && table.contains("held-out task success"), table)
    }
}
