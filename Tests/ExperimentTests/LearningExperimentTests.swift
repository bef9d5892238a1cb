import Foundation
import XCTest
@testable import Experiment
import Evaluation
import NNetnavSupport
import Pipeline
import TestSupport
import WebSites
import WebTasks

/// The experiment end to end on a tiny scale with the real embedded student: two arms (base and
/// oracle), one held-out task, two training steps. What it checks is the harness — data, training,
/// paired evaluation, report, resume — not the numbers.
final class LearningExperimentTests: XCTestCase {
    func testOracleDataAreScriptedSolutionsOfTrainingTasksInTheExportFormat() async throws {
        let split = try TaskSplit.load()
        let wiki = try TaskSet.load(site: .wiki)
        let training = Array(split.tasks(of: wiki, heldOut: false).prefix(3))
        let cluster = try await SiteCluster.start(sites: [.wiki], instances: 1,
                                                  dataDirectory: FileManager.default.temporaryDirectory
                                                      .appendingPathComponent("nnetnav-oracle-\(UUID())"), seed: TaskSet.seed)
        let prompt = StudentPrompt(template: try PromptLibrary().studentPolicy, maxSequenceTokens: 1024, maxAnswerTokens: 128,
                                   tokens: try .tokenizer(of: TestRequirements.embeddedModel()))
        let collected: (demonstrations: [Demonstration], episodes: [TaskEpisode])
        do {
            collected = try await OracleDemonstrations.collect(tasks: training, cluster: cluster, instances: 1, maxSteps: 40,
                                                               prompt: prompt)
        } catch { await cluster.shutdown(); throw error }
        await cluster.shutdown()
        XCTAssertEqual(collected.episodes.count, 3)
        XCTAssertEqual(collected.demonstrations.count, collected.episodes.filter(\.succeeded).count)
        // All of them: with 60-line windows the student's prompt cut the bottom of every window, and
        // solutions whose target sat there scrolled past it forever (61 of 97 training tasks passed).
        XCTAssertEqual(collected.demonstrations.count, 3, "scripted solutions pass their own checks: "
                             + collected.episodes.map { "\($0.taskID) \($0.result.checks.map(\.reason)) \($0.steps.map(\.action))" }
                                 .joined(separator: "; "))
        let heldOutIntents = Set(split.tasks(of: wiki, heldOut: true).map(\.intent))
        for demo in collected.demonstrations {
            XCTAssertFalse(heldOutIntents.contains(demo.instruction), "never a held-out task")
            XCTAssertFalse(demo.finalObservation.contains("127.0.0.1"), "canonical URLs, as in a crawl's data")
            let results = DatasetExporter(studentPrompt: prompt).rows(for: demo)
            XCTAssertFalse(results.contains { if case .hiddenTarget = $0 { true } else { false } }, "\(results)")
            for row in results.compactMap(\.row) {
                XCTAssertTrue(PolicyAnswerFormat.conforms(row.messages[2].content), row.messages[2].content)
            }
        }
    }

    /// `experiment --oracle-data-only`: the oracle's rows and their collapsed copy, nothing trained or evaluated.
    func testOracleDataOnlyWritesThePoolAndNothingElse() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-oracle-pool-\(UUID())")
        defer { try? FileManager.default.removeItem(at: out) }
        var settings = ExperimentSettings()
        settings.arms = [.oracle]
        settings.sites = ["wiki"]
        settings.collapseScrollRuns = true
        settings.student = try TestRequirements.embeddedModel().path
        let rows = try await LearningExperiment(settings: settings, output: out, log: { _ in }).writeOracleData()
        XCTAssertEqual(rows.lastPathComponent, "sft_scroll_runs_collapsed.jsonl")
        let all = out.appendingPathComponent("oracle/data/sft_train.jsonl")
        let count = { (url: URL) in try String(contentsOf: url, encoding: .utf8).split(separator: "\n").count }
        let (collapsed, full) = (try count(rows), try count(all))
        XCTAssertGreaterThan(collapsed, 0)
        XCTAssertLessThanOrEqual(collapsed, full)
        let wiki = try TaskSet.load(site: .wiki)
        let solutions = try String(contentsOf: out.appendingPathComponent("oracle/solutions.jsonl"), encoding: .utf8)
            .split(separator: "\n").count
        XCTAssertEqual(solutions, try TaskSplit.load().tasks(of: wiki, heldOut: false).count, "every training-split task, no held-out one")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("oracle/checkpoint").path), "nothing trained")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("report.json").path), "nothing evaluated")
    }

    func testTinyExperimentReportsPairedArmsAndResumes() async throws {
        _ = try TestRequirements.embeddedModel()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-experiment-\(UUID())")
        defer { try? FileManager.default.removeItem(at: out) }
        var settings = ExperimentSettings()
        settings.arms = [.base, .oracle]
        settings.sites = ["wiki"]
        settings.tasksPerSite = 1
        settings.maxSteps = 2
        settings.policyMaxTokens = 24
        settings.training.steps = 2
        settings.matchRows = false
        let lines = LogLines()
        let experiment = LearningExperiment(settings: settings, output: out, log: { lines.append($0) })
        let report = try await experiment.run()

        XCTAssertEqual(report.arms.map(\.arm), [.base, .oracle])
        XCTAssertEqual(report.arms.map { $0.sites?.overall.total }, [1, 1], "both arms ran the one held-out task")
        XCTAssertGreaterThan(report.arms[1].rows, 0, "the oracle had training rows")
        XCTAssertEqual(report.arms[1].trainingSteps, 2)
        XCTAssertEqual(report.comparisons.map(\.pairs), [1], "paired on the same task")
        XCTAssertEqual(report.results.count, 2)
        // The teacher-forced pass: every step of the task's solution, asked of both arms and paired.
        let forced = report.arms.map { $0.referenceSteps?.referenceSteps }
        XCTAssertTrue(forced.allSatisfy { ($0?.total ?? 0) > 0 }, "\(forced)")
        XCTAssertEqual(forced[0]?.total, forced[1]?.total, "the same reference steps in both arms")
        XCTAssertEqual(report.stepResults.count, 2 * (forced[0]?.total ?? 0))
        // Paired on all steps, and on all but the scrolls (which an always-scrolling policy matches).
        let scrolls = report.stepResults.filter { $0.arm == "base" && $0.reference.hasPrefix("scroll") }.count
        let elementSteps = report.stepResults.filter { $0.arm == "base" && $0.sameElement != nil }.count
        XCTAssertEqual(report.stepComparisons.map(\.pairs), [forced[0]?.total ?? -1, (forced[0]?.total ?? -1) - scrolls, elementSteps].filter { $0 > 0 })
        XCTAssertTrue(report.arms.allSatisfy { $0.referenceSteps?.overall.passed == 1 }, "the reference's run solves the task")
        // The in-process student scores its candidates, so every offered reference step has a log-probability, ≤ 0.
        let offered = report.stepResults.filter(\.offered)
        XCTAssertFalse(offered.isEmpty)
        XCTAssertTrue(offered.allSatisfy { ($0.referenceLogProbability ?? 1) <= 0 }, "\(offered)")
        XCTAssertTrue(report.stepResults.allSatisfy { ($0.candidates ?? 0) > 0 }, "every forced step counts its candidates")
        XCTAssertEqual(report.stepScoreComparisons?.first?.units, offered.count / 2, "paired on the steps both arms scored")
        for file in ["report.md", "report.html", "report.json", "results.jsonl", "success.png", "experiment.json",
                     "oracle/checkpoint/model.gguf", "base/eval-sites/episodes.jsonl", "reference-steps.jsonl",
                     "oracle/eval-reference-steps/episodes.jsonl"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), file)
        }
        let markdown = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("95% CI") && markdown.contains("McNemar exact p") && markdown.contains("ceiling"), markdown)
        XCTAssertTrue(markdown.contains("## Reference steps (teacher-forced, held-out tasks)"), markdown)
        XCTAssertTrue(markdown.contains("Log-probability of the reference among the candidates"), markdown)
        XCTAssertTrue(markdown.contains("| reference verb | base | oracle | chance |"), markdown)
        XCTAssertTrue(markdown.contains("Within the reference's verb"), markdown)
        let png = try Data(contentsOf: out.appendingPathComponent("success.png"))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])

        // Rerun: nothing is trained or evaluated again.
        let again = try await LearningExperiment(settings: settings, output: out, log: { lines.append($0) }).run()
        XCTAssertTrue(lines.all.contains { $0.contains("oracle: reusing") }, lines.all.joined(separator: "\n"))
        XCTAssertEqual(again.results, report.results)
        // Other settings in the same folder are refused.
        var other = settings
        other.maxSteps = 3
        do {
            _ = try await LearningExperiment(settings: other, output: out, log: { _ in }).run()
            XCTFail("a folder of another experiment must be refused")
        } catch let error as ExperimentError {
            XCTAssertTrue(error.description.contains("other settings"), error.description)
        }
    }
}

final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
