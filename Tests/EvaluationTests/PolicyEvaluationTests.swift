import ChromiumBrowser
import Foundation
import XCTest
@testable import Evaluation
import LanguageModels
import Pipeline
import WebSites
import WebTasks
import TestSupport

final class PolicyEvaluationTests: XCTestCase {
    static let data = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-eval-tests-\(ProcessInfo.processInfo.processIdentifier)")

    func withCluster(_ body: (SiteCluster) async throws -> Void) async throws {
        let cluster = try await SiteCluster.start(sites: [.shop, .forum], instances: 2, dataDirectory: Self.data, seed: TaskSet.seed)
        do { try await body(cluster) } catch { await cluster.shutdown(); throw error }
        await cluster.shutdown()
    }

    /// Easy tasks of both sites, some needing sign-in.
    func sampleTasks() throws -> [TaskConfig] {
        try [SiteName.shop, .forum].flatMap { site in
            try TaskSet.load(site: site).tasks.sorted { ($0.difficulty, $0.taskID) < ($1.difficulty, $1.taskID) }.prefix(3)
        }
    }

    func agent(_ model: any ChatModel, fallback: Bool = true) throws -> PolicyAgent {
        PolicyAgent(model: model, prompt: StudentPrompt(template: try PromptLibrary().studentPolicy, maxSequenceTokens: 400_000),
                    constrainedFallback: fallback)
    }

    func testAPolicyThatFollowsTheSolutionsPassesEveryTask() async throws {
        let tasks = try sampleTasks()
        try await withCluster { cluster in
            let runner = TaskRunner(agent: try agent(ScriptedSolutionOracle(tasks: tasks)), cluster: cluster, maxSteps: 30)
            let episodes = try await PolicyEvaluation(runner: runner, label: "oracle").run(tasks, instances: 2, progress: false)
            XCTAssertEqual(episodes.map(\.taskID), tasks.map(\.taskID), "results come back in task order")
            for e in episodes {
                XCTAssertTrue(e.succeeded, "task \(e.taskID) (\(e.site)): \(e.result)")
                XCTAssertNil(e.failure)
                XCTAssertFalse(e.steps.contains(where: \.constrained))
            }
            let report = EvaluationReport(label: "oracle", episodes: episodes)
            XCTAssertEqual(report.overall, .init(passed: tasks.count, total: tasks.count))
            XCTAssertEqual(report.bySite["forum"]?.total, 3)
        }
    }

    func testAPolicyThatFollowsTheSolutionsPassesInChromiumToo() async throws {
        try TestRequirements.chromium()
        let tasks = try sampleTasks()
        try await withCluster { cluster in
            let runner = TaskRunner(agent: try agent(ScriptedSolutionOracle(tasks: tasks)), cluster: cluster, maxSteps: 30)
            let episodes = try await PolicyEvaluation(runner: runner, label: "oracle", backend: .chromium)
                .run(tasks, instances: 2, progress: false)
            XCTAssertEqual(episodes.map(\.taskID), tasks.map(\.taskID))
            for e in episodes {
                XCTAssertTrue(e.succeeded, "task \(e.taskID) (\(e.site)) in chromium: \(e.result)")
                XCTAssertTrue(e.finalURL.hasPrefix("http://"), e.finalURL)
            }
        }
    }

    func testWrongAnswersAndProseFailWithTheirCause() async throws {
        let tasks = try sampleTasks().filter { $0.eval.evalTypes.contains(.stringMatch) }
        XCTAssertFalse(tasks.isEmpty)
        try await withCluster { cluster in
            let wrong = TaskRunner(agent: try agent(ScriptedSolutionOracle(tasks: tasks, forcedAnswer: "purple elephant")),
                                   cluster: cluster, maxSteps: 30)
            for e in try await PolicyEvaluation(runner: wrong).run(tasks, instances: 2, progress: false) {
                XCTAssertFalse(e.succeeded, "task \(e.taskID) passed with a wrong answer")
                XCTAssertEqual(e.failure, .wrongResult)
                XCTAssertEqual(e.answer, "purple elephant")
            }
            let prose = TaskRunner(agent: try agent(ProseOnlyModel(), fallback: false), cluster: cluster, maxSteps: 3)
            let episode = await prose.run(tasks[0].substituting(Dictionary(uniqueKeysWithValues:
                await cluster.baseURLs(instance: 0).map { ($0.key.urlPlaceholder, $0.value) })), instance: 0,
                                         browsers: NativeBrowserSource())
            XCTAssertEqual(episode.failure, .invalidActions)
            XCTAssertEqual(episode.steps.count, 3)
            XCTAssertTrue(episode.steps.allSatisfy { $0.error != nil }, "an unparseable action shows an error to the model")
        }
    }

    /// A policy stuck on one action is given up after three (WebArena's early stop), not run to its limit.
    func testAPolicyRepeatingOneActionIsStoppedEarly() async throws {
        let tasks = try sampleTasks()
        try await withCluster { cluster in
            let runner = TaskRunner(agent: try agent(FixedAnswerTestDouble(answer: "```click [999999]```"), fallback: false),
                                    cluster: cluster, maxSteps: 30)
            let episode = await runner.run(tasks[0].substituting(["__SHOP__": await cluster.baseURL(.shop),
                                                                  "__FORUM__": await cluster.baseURL(.forum)]),
                                           instance: 0, browsers: NativeBrowserSource())
            XCTAssertEqual(episode.steps.map(\.action), Array(repeating: "click [999999]", count: 3))
            XCTAssertEqual(episode.failure, .repeatedActions)
            XCTAssertEqual(episode.earlyStop, "the same action 3 times in a row: click [999999]")
            var patient = try agent(FixedAnswerTestDouble(answer: "```click [999999]```"), fallback: false)
            patient.earlyStop = .never
            let limited = await TaskRunner(agent: patient, cluster: cluster, maxSteps: 5)
                .run(tasks[0].substituting(["__SHOP__": await cluster.baseURL(.shop), "__FORUM__": await cluster.baseURL(.forum)]),
                     instance: 0, browsers: NativeBrowserSource())
            XCTAssertEqual(limited.steps.count, 5)
            XCTAssertEqual(limited.failure, .stepLimit)
        }
    }

    /// Teacher forcing: the solution acts, the policy is only asked. The oracle itself agrees on
    /// every step; a policy that always clicks the first link agrees on few, yet the run still
    /// follows the solution to its end and passes the task's checks.
    func testTeacherForcedStepsCompareThePolicyWithTheSolution() async throws {
        let tasks = try sampleTasks().filter { $0.solution.count >= 2 }
        let task = try XCTUnwrap(tasks.first)
        try await withCluster { cluster in
            let substituted = task.substituting(["__SHOP__": await cluster.baseURL(.shop), "__FORUM__": await cluster.baseURL(.forum)])
            var oracle = TaskRunner(agent: try agent(ScriptedSolutionOracle(tasks: [task])), cluster: cluster, maxSteps: 30)
            oracle.followsReferenceSolution = true
            let perfect = await oracle.run(substituted, instance: 0, browsers: NativeBrowserSource())
            XCTAssertTrue(perfect.succeeded, "\(perfect.result)")
            XCTAssertGreaterThanOrEqual(perfect.steps.count, task.solution.count)
            XCTAssertTrue(perfect.steps.allSatisfy { $0.matchesReference == true && $0.referenceAction == $0.action },
                          "\(perfect.steps.map { ($0.action, $0.referenceAction ?? "-") })")

            var policy = try agent(ChoosingProseModel())
            policy.decoding = .choice
            var forced = TaskRunner(agent: policy, cluster: cluster, maxSteps: 30)
            forced.followsReferenceSolution = true
            let episode = await forced.run(substituted, instance: 0, browsers: NativeBrowserSource())
            XCTAssertTrue(episode.succeeded, "the solution acted, so the task is solved: \(episode.result)")
            XCTAssertEqual(episode.steps.compactMap(\.referenceAction), perfect.steps.compactMap(\.referenceAction),
                           "the same reference steps whoever is asked")
            XCTAssertTrue(episode.steps.contains { $0.matchesReference == false }, "\(episode.steps.map { ($0.action, $0.referenceAction ?? "-") })")
            XCTAssertNil(episode.earlyStop, "no early stop while the solution acts")
            let report = EvaluationReport(label: "forced", episodes: [episode])
            XCTAssertEqual(report.referenceSteps?.total, episode.steps.count)
            XCTAssertEqual(report.referenceSteps?.passed, episode.steps.filter { $0.matchesReference == true }.count)
        }
    }

    func testConstrainedFallbackPicksAValidActionFromThePage() async throws {
        let tasks = try sampleTasks()
        try await withCluster { cluster in
            // The prose model gives no action; with the fallback it must choose among the page's actions.
            let runner = TaskRunner(agent: try agent(ChoosingProseModel()), cluster: cluster, maxSteps: 2)
            let url = await cluster.baseURL(.shop)
            let episode = await runner.run(tasks[0].substituting(["__SHOP__": url, "__FORUM__": await cluster.baseURL(.forum)]), instance: 0,
                                           browsers: NativeBrowserSource())
            XCTAssertEqual(episode.steps.count, 2)
            XCTAssertTrue(episode.steps.allSatisfy { $0.constrained && $0.valid })
            XCTAssertEqual(episode.failure, .stepLimit)
        }
    }

    /// Choice-only decoding never asks for a free-form answer: one scoring call per step.
    func testChoiceDecodingAsksOnlyForAChoice() async throws {
        let tasks = try sampleTasks()
        try await withCluster { cluster in
            let model = RequestCountingTestDouble(base: ChoosingProseModel())
            var policy = try agent(model)
            policy.decoding = .choice
            let runner = TaskRunner(agent: policy, cluster: cluster, maxSteps: 2)
            let episode = await runner.run(tasks[0].substituting(["__SHOP__": await cluster.baseURL(.shop),
                                                                  "__FORUM__": await cluster.baseURL(.forum)]),
                                           instance: 0, browsers: NativeBrowserSource())
            XCTAssertEqual(episode.steps.count, 2)
            XCTAssertTrue(episode.steps.allSatisfy { $0.constrained && $0.valid })
            XCTAssertEqual(model.requests.map { $0.choices != nil }, [true, true], "no free-form request")
            XCTAssertTrue(episode.steps.allSatisfy { PolicyAnswerFormat.conforms($0.modelOutput) }, "\(episode.steps.map(\.modelOutput))")
        }
    }

    /// A choice decoder can only do what it is offered: the page's short texts are offered as answers
    /// (`stop [$166.99]`) beside `stop []`, in the stop targets' shape, so an information task can be solved.
    func testChoiceDecodingOffersThePagesTextsAsAnswers() async throws {
        let task = try XCTUnwrap(TaskSet.load(site: .shop).tasks.first { $0.taskID == 1 }, "the saucepan's price")
        try await withCluster { cluster in
            let model = RequestCountingTestDouble(base: AnswerPickingTestDouble(answer: "166.99"))
            var policy = try agent(model)
            policy.decoding = .choice
            let runner = TaskRunner(agent: policy, cluster: cluster, maxSteps: 3)
            let episode = await runner.run(task.substituting(["__SHOP__": await cluster.baseURL(.shop)]), instance: 0,
                                           browsers: NativeBrowserSource())
            let choices = try XCTUnwrap(model.requests.first?.choices)
            XCTAssertTrue(choices.contains(PolicyAnswerFormat.finished(stopAction: "stop []")))
            XCTAssertLessThanOrEqual(choices.filter { $0.contains("```stop [") }.count, policy.maxAnswers + 1)
            XCTAssertEqual(episode.steps.map(\.action), ["stop [$166.99]"], episode.steps.first?.observation ?? "")
            XCTAssertTrue(episode.succeeded, "\(episode.result.checks.map(\.reason))")
        }
    }

    func testReportsAreWrittenAndReadable() throws {
        let episode = TaskEpisode(taskID: 7, site: "shop", intent: "Find <b>it</b>", difficulty: 5, instance: 0,
                                  steps: [.init(url: "http://x/", observation: "[1] link 'A'", modelOutput: "```click [1]```",
                                                action: "click [1]", actionDescription: "click [1] where [1] is link 'A'",
                                                valid: true, constrained: false, error: nil)],
                                  answer: "42", finalURL: "http://x/a",
                                  result: EvaluationResult(checks: [CheckResult(kind: "string_match", passed: false, reason: "expected 41")]),
                                  failure: .wrongResult, usage: TokenUsage(promptTokens: 10, completionTokens: 2), seconds: 1.5)
        let dir = Self.data.appendingPathComponent("report")
        let report = try EvaluationReport.write(label: "unit", episodes: [episode], to: dir)
        XCTAssertEqual(report.failures, ["wrong-result": 1])
        XCTAssertEqual(report.byDifficulty["4-7"], .init(passed: 0, total: 1))
        let html = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("Find &lt;b&gt;it&lt;/b&gt;"), "intent is escaped")
        XCTAssertTrue(html.contains("expected 41"))
        let rows = try String(contentsOf: dir.appendingPathComponent("episodes.jsonl"), encoding: .utf8)
        XCTAssertEqual(rows.split(separator: "\n").count, 1)
    }
}

/// Test double: prose for free-form requests; for `choices` it takes the first click it is offered.
struct ChoosingProseModel: ChatModel {
    let identifier = "test-double:choosing-prose"
    func complete(_ request: ChatRequest) async throws -> ChatResponse {
        guard let choices = request.choices else { return ChatResponse(text: "Hmm, let me look around.") }
        return ChatResponse(text: choices.first { $0.contains("click [") } ?? choices[0], finishReason: "choice")
    }
}

/// Test double: always writes the same answer.
struct FixedAnswerTestDouble: ChatModel {
    let identifier = "test-double:fixed-answer"
    let answer: String
    func complete(_ request: ChatRequest) async throws -> ChatResponse { ChatResponse(text: answer) }
}

/// Test double: for `choices` it takes the first stop whose answer contains `answer`, else the first choice.
struct AnswerPickingTestDouble: ChatModel {
    let identifier = "test-double:answer-picker"
    let answer: String
    func complete(_ request: ChatRequest) async throws -> ChatResponse {
        guard let choices = request.choices else { return ChatResponse(text: "Hmm.") }
        return ChatResponse(text: choices.first { $0.contains("```stop [") && $0.contains(answer) } ?? choices[0], finishReason: "choice")
    }
}

/// Test double wrapper: records every request before passing it on.
final class RequestCountingTestDouble: ChatModel, @unchecked Sendable {
    let base: any ChatModel
    private let lock = NSLock()
    private var seen: [ChatRequest] = []
    init(base: any ChatModel) { self.base = base }
    var identifier: String { base.identifier }
    var requests: [ChatRequest] { lock.withLock { seen } }
    func complete(_ request: ChatRequest) async throws -> ChatResponse {
        lock.withLock { seen.append(request) }
        return try await base.complete(request)
    }
}
