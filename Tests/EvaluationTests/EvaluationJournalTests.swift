import Foundation
import LanguageModels
import Pipeline
import WebSites
import WebTasks
import XCTest
@testable import Evaluation

/// Streamed, resumable evaluation results: the file's format, resume, refusal of a changed
/// configuration, a write cut short by a kill, interruption, and --report-only's regeneration.
final class EvaluationJournalTests: XCTestCase {
    var directory: URL!

    override func setUp() {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("nnetnav-journal-tests-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
    }

    override func tearDown() { try? FileManager.default.removeItem(at: directory) }

    func settings(maxSteps: Int? = 10, answerTokens: Int = 64) throws -> EvaluationSettings {
        let agent = PolicyAgent(model: ProseOnlyModel(), prompt: StudentPrompt(template: try PromptLibrary().studentPolicy),
                                options: GenerationOptions(temperature: 0, maxTokens: answerTokens))
        return EvaluationSettings(label: "unit", benchmark: "miniwob", agent: agent, maxSteps: maxSteps, browser: "chromium")
    }

    /// A made-up finished episode: item `n` passes when it is even.
    static func episode(_ n: Int) -> TaskEpisode {
        let step = TaskEpisode.Step(url: "http://x/", observation: "[1] button 'OK'", modelOutput: "```click [1]```",
                                    action: "click [1]", actionDescription: "click [1] where [1] is button 'OK'",
                                    valid: true, constrained: false, error: nil,
                                    timing: StepTiming(prefillSeconds: 0.5, decodeSeconds: 1, modelOtherSeconds: 0.1, browserSeconds: 0.2))
        return TaskEpisode(taskID: 42 + n, site: "miniwob/click-button", intent: "Click OK", difficulty: 1, instance: 0,
                           steps: [step], answer: nil, finalURL: "",
                           result: EvaluationResult(checks: [CheckResult(kind: "miniwob_reward", passed: n % 2 == 0, reason: "r")]),
                           failure: n % 2 == 0 ? nil : .wrongResult, usage: TokenUsage(promptTokens: 100, completionTokens: 5),
                           seconds: 2, key: EpisodeKey.miniwob(task: "click-button", seed: 42 + n),
                           setupSeconds: 0.3, evaluatorSeconds: 0.01)
    }

    func items(_ count: Int) -> [(key: String, item: Int)] {
        (0..<count).map { (EpisodeKey.miniwob(task: "click-button", seed: 42 + $0), $0) }
    }

    func testEachFinishedEpisodeIsOneJSONLineOnDiskAtOnce() async throws {
        let journal = try EvaluationJournal(directory: directory, settings: try settings())
        let file = directory.appendingPathComponent(EvaluationJournal.episodesFile)
        let scheduler = EpisodeScheduler<Int>(label: "unit", workers: 1, journal: journal, progress: false)
        let lineCounts = LineCounts()
        _ = try await scheduler.run(items(3)) { n, _ in
            // What is on disk when episode n starts: the n finished before it.
            let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
            await lineCounts.add(text.split(separator: "\n").count)
            return Self.episode(n)
        }
        let seen = await lineCounts.values
        XCTAssertEqual(seen, [0, 1, 2], "every episode is written before the next starts")
        let text = try String(contentsOf: file, encoding: .utf8)
        XCTAssertTrue(text.hasSuffix("\n"))
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        for (n, line) in lines.enumerated() {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            XCTAssertEqual(object["key"] as? String, "miniwob/click-button@\(42 + n)")
            XCTAssertEqual(object["taskID"] as? Int, 42 + n)
            XCTAssertNotNil(object["result"] as? [String: Any])
            XCTAssertNil(object["interrupted"], "a recorded episode is a finished one")
            let step = try XCTUnwrap((object["steps"] as? [[String: Any]])?.first)
            XCTAssertEqual((step["timing"] as? [String: Any])?["prefillSeconds"] as? Double, 0.5)
        }
        let stored = try JSONDecoder().decode(EvaluationSettings.self,
                                              from: Data(contentsOf: directory.appendingPathComponent(EvaluationJournal.settingsFile)))
        XCTAssertEqual(stored, try settings())
    }

    func testARerunSkipsFinishedEpisodesAndRunsOnlyTheRest() async throws {
        do {   // the first evaluation ends (and lets go of the folder) before the rerun
            let first = EpisodeScheduler<Int>(label: "unit", workers: 2,
                                              journal: try EvaluationJournal(directory: directory, settings: try settings()), progress: false)
            _ = try await first.run(items(2)) { n, _ in Self.episode(n) }
        }

        // The same command with more seeds: only the new ones run; results cover all of them in order.
        let ran = LineCounts()
        let again = EpisodeScheduler<Int>(label: "unit", workers: 2,
                                          journal: try EvaluationJournal(directory: directory, settings: try settings()), progress: false)
        let all = try await again.run(items(5)) { n, _ in
            await ran.add(n)
            return Self.episode(n)
        }
        let rerun = await ran.values
        XCTAssertEqual(rerun.sorted(), [2, 3, 4])
        XCTAssertEqual(all.map(\.taskID), [42, 43, 44, 45, 46])
        XCTAssertEqual(try EvaluationJournal.readEpisodes(in: directory).count, 5, "nothing recorded twice")
    }

    func testAChangedConfigurationIsRefusedWithWhatChanged() throws {
        _ = try EvaluationJournal(directory: directory, settings: try settings(maxSteps: 10))
        XCTAssertThrowsError(try EvaluationJournal(directory: directory, settings: try settings(maxSteps: 20, answerTokens: 32))) { error in
            guard case EvaluationJournalError.changedConfiguration(_, let differences) = error else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(differences.count, 2, "\(differences)")
            let message = "\(error)"
            XCTAssertTrue(message.contains("--max-steps: 10 in the folder, 20 now"), message)
            XCTAssertTrue(message.contains("--max-answer-tokens: 64 in the folder, 32 now"), message)
            XCTAssertTrue(message.contains("another --out"), message)
        }
        var patient = try settings(maxSteps: 10)
        patient.earlyStop = .never
        XCTAssertThrowsError(try EvaluationJournal(directory: directory, settings: patient)) { error in
            XCTAssertTrue("\(error)".contains("early stop: after 3 unparseable / 3 repeated actions (0: never) in the folder"), "\(error)")
        }
        var relabeled = try settings(maxSteps: 10)
        relabeled.label = "another title"
        XCTAssertNoThrow(try EvaluationJournal(directory: directory, settings: relabeled), "the label is not a setting")
    }

    /// Two evaluations on one folder would interleave their episodes and repeat each other's work:
    /// the second is refused while the first holds the folder, and admitted once it is gone.
    func testOneEvaluationAtATimeOwnsAFolder() throws {
        var first: EvaluationJournal? = try EvaluationJournal(directory: directory, settings: try settings())
        XCTAssertNotNil(first)
        XCTAssertThrowsError(try EvaluationJournal(directory: directory, settings: try settings())) { error in
            guard case EvaluationJournalError.inUse(_, let holder) = error else { return XCTFail("unexpected \(error)") }
            XCTAssertEqual(holder, "pid \(getpid())")
            XCTAssertTrue("\(error)".contains("another evaluation"), "\(error)")
        }
        first = nil
        XCTAssertNoThrow(try EvaluationJournal(directory: directory, settings: try settings()), "released with its journal")
    }

    func testResultsWithoutTheirSettingsAreNotResumed() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var line = try JSONEncoder().encode(Self.episode(0))
        line.append(0x0A)
        try line.write(to: directory.appendingPathComponent(EvaluationJournal.episodesFile))
        XCTAssertThrowsError(try EvaluationJournal(directory: directory, settings: try settings())) { error in
            XCTAssertTrue("\(error)".contains("no evaluation.json"), "\(error)")
        }
    }

    func testALineCutShortByAKillIsDroppedAndTheRestResumes() async throws {
        let file = directory.appendingPathComponent(EvaluationJournal.episodesFile)
        do {   // the killed evaluation: one whole line, then a torn one
            let journal = try EvaluationJournal(directory: directory, settings: try settings())
            try journal.append(Self.episode(0))
            let handle = try FileHandle(forWritingTo: file)
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("{\"key\":\"miniwob/click-button@43\",\"site\":\"mini".utf8))
            try handle.close()
        }

        XCTAssertEqual(try EvaluationJournal.readEpisodes(in: directory).map(\.taskID), [42])
        let reopened = try EvaluationJournal(directory: directory, settings: try settings())
        XCTAssertEqual(reopened.finishedKeys, ["miniwob/click-button@42"])
        let all = try await EpisodeScheduler<Int>(label: "unit", workers: 1, journal: reopened, progress: false)
            .run(items(2)) { n, _ in Self.episode(n) }
        XCTAssertEqual(all.map(\.taskID), [42, 43])
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 3, "two whole lines and the final newline")
        XCTAssertEqual(try EvaluationJournal.readEpisodes(in: directory).map(\.taskID), [42, 43])
    }

    func testAnInterruptedEvaluationKeepsWhatFinishedAndDropsWhatWasInFlight() async throws {
        let journal = try EvaluationJournal(directory: directory, settings: try settings())
        let ctrlC = CancelBox()
        let work = Task { try await runInterrupted(journal, ctrlC) }
        await ctrlC.set(work)
        do {
            _ = try await work.value
            XCTFail("an interrupted evaluation reports the interruption")
        } catch is CancellationError {}
        XCTAssertEqual(try EvaluationJournal.readEpisodes(in: directory).map(\.taskID), [42, 43])
    }

    func testTheReportIsRegeneratedFromTheStreamedFile() throws {
        let journal = try EvaluationJournal(directory: directory, settings: try settings())
        for n in [3, 0, 1, 2] { try journal.append(Self.episode(n)) }
        let report = try EvaluationReport.regenerate(in: directory)
        XCTAssertEqual(report.label, "unit")
        XCTAssertEqual(report.overall, SuccessRate(passed: 2, total: 4))
        XCTAssertEqual(report.byTaskSet["miniwob"], SuccessRate(passed: 2, total: 4))
        let cost = try XCTUnwrap(report.stepCost)
        XCTAssertEqual(cost.steps, 4)
        XCTAssertEqual(cost.total, 0.5 + 1 + 0.1 + 0.2 + 0.01, accuracy: 1e-9)
        XCTAssertTrue(report.table.contains("50.0% (2/4, 95% CI 15.0–85.0%)"), report.table)
        XCTAssertTrue(report.table.contains("seconds per step 1.81"), report.table)
        let json = try JSONDecoder().decode(EvaluationReport.self, from: Data(contentsOf: directory.appendingPathComponent("report.json")))
        XCTAssertEqual(json.overall.total, 4)
        let html = try String(contentsOf: directory.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertLessThan(try XCTUnwrap(html.range(of: "Task 42 ")).lowerBound, try XCTUnwrap(html.range(of: "Task 45 ")).lowerBound,
                          "episodes listed by task and seed, not by finishing order")
        XCTAssertThrowsError(try EvaluationReport.regenerate(in: directory.appendingPathComponent("missing"))) { error in
            XCTAssertTrue("\(error)".contains("not an evaluation folder"), "\(error)")
        }
    }

    func testABundledSiteEvaluationResumesWithoutAskingTheModelAgain() async throws {
        let tasks = try Array(TaskSet.load(site: .shop).tasks.sorted { ($0.difficulty, $0.taskID) < ($1.difficulty, $1.taskID) }.prefix(2))
        let cluster = try await SiteCluster.start(sites: [.shop], instances: 1, dataDirectory: directory.appendingPathComponent("sites"),
                                                  seed: TaskSet.seed)
        do {
            func evaluate(_ model: any ChatModel) async throws -> [TaskEpisode] {
                let agent = PolicyAgent(model: model, prompt: StudentPrompt(template: try PromptLibrary().studentPolicy,
                                                                            maxSequenceTokens: 100_000))
                // The settings name the policy by the model's identifier: the same for both doubles here.
                var settings = EvaluationSettings(label: "unit", benchmark: "bundled-sites", agent: agent, maxSteps: 30, browser: "native")
                settings.policy = "test-double:policy"
                let journal = try EvaluationJournal(directory: directory.appendingPathComponent("out"), settings: settings)
                return try await PolicyEvaluation(runner: TaskRunner(agent: agent, cluster: cluster, maxSteps: 30))
                    .run(tasks, instances: 1, journal: journal, progress: false)
            }
            let first = try await evaluate(ScriptedSolutionOracle(tasks: tasks))
            XCTAssertTrue(first.allSatisfy(\.succeeded), "\(first.map(\.result))")
            XCTAssertEqual(first.map(\.key), tasks.map { EpisodeKey.task($0) })
            XCTAssertTrue(first.flatMap(\.steps).allSatisfy { $0.timing != nil }, "every step is timed")
            XCTAssertNotNil(first[0].evaluatorSeconds)
            let again = try await evaluate(UnreachableTestDoubleModel())
            XCTAssertEqual(again.map(\.taskID), tasks.map(\.taskID))
            XCTAssertTrue(again.allSatisfy(\.succeeded), "the earlier results, not new attempts")
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
    }

    func testWilsonIntervalsMatchReferenceValues() {
        // Reference values from the closed form (Wilson 1927), z = 1.95996.
        let cases: [(Int, Int, Double, Double)] = [(4, 16, 0.10182, 0.49498), (0, 10, 0, 0.27753), (10, 10, 0.72247, 1),
                                                   (50, 100, 0.40383, 0.59617)]
        for (passed, total, lower, upper) in cases {
            let interval = SuccessRate(passed: passed, total: total).wilsonInterval()
            XCTAssertEqual(interval.lower, lower, accuracy: 1e-4, "\(passed)/\(total)")
            XCTAssertEqual(interval.upper, upper, accuracy: 1e-4, "\(passed)/\(total)")
        }
        XCTAssertEqual(SuccessRate(passed: 0, total: 0).text, "-")
        XCTAssertEqual(SuccessRate(passed: 4, total: 16).text, "25.0% (4/16, 95% CI 10.2–49.5%)")
    }
}

private actor LineCounts {
    var values: [Int] = []
    func add(_ value: Int) { values.append(value) }
}

/// Cancels the evaluation's task as Ctrl-C does, once it is known.
actor CancelBox {
    var task: Task<[TaskEpisode], any Error>?
    func set(_ task: Task<[TaskEpisode], any Error>) { self.task = task }
    func cancel() async {
        while task == nil { await Task.yield() }
        task?.cancel()
    }
}

/// Test double: a model server that is down; a resumed evaluation with nothing left to run never calls it.
private struct UnreachableTestDoubleModel: ChatModel {
    let identifier = "test-double:unreachable"
    func complete(_ request: ChatRequest) async throws -> ChatResponse {
        throw ChatModelError.unavailable("test double: no model should be asked")
    }
}

/// Ten episodes on one worker; Ctrl-C arrives during the third, which ends unfinished.
private func runInterrupted(_ journal: EvaluationJournal, _ ctrlC: CancelBox) async throws -> [TaskEpisode] {
    let scheduler = EpisodeScheduler<Int>(label: "unit", workers: 1, journal: journal, progress: false)
    let items = (0..<10).map { (key: EpisodeKey.miniwob(task: "click-button", seed: 42 + $0), item: $0) }
    return try await scheduler.run(items) { n, _ in
        guard n == 2 else { return EvaluationJournalTests.episode(n) }
        await ctrlC.cancel()
        var cut = EvaluationJournalTests.episode(n)
        cut.interrupted = Task.isCancelled
        return cut
    }
}
