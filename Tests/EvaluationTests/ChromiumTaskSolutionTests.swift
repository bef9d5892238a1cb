import ChromiumBrowser
import Foundation
import WebSites
import WebTasks
import XCTest
@testable import Evaluation
import Environments
import TestSupport

/// The bundled tasks are solvable with the Chromium backend too. A sample of every site's task set
/// (`sample`: each evaluator combination, each kind of solution step, every page locator) runs its
/// scripted solution through a `ChromiumEnvironment` from the same `TaskHarness` the evaluation
/// uses, and must pass the evaluator. The native browser runs every task in WebSitesTests; the
/// sample keeps the Chromium run under a minute.
final class ChromiumTaskSolutionTests: XCTestCase {
    func testSampledScriptedSolutionsPassTheEvaluatorInChromium() async throws {
        var solved: [SiteName: Int] = [:]
        let failures = try await withChromiumHarness { harness in
            var failures: [String] = []
            for site in SiteName.allCases {
                for task in Self.sample(try await harness.tasks(for: site)) {
                    do {
                        let (browser, _) = try await harness.prepare(task)
                        let run: ScriptedSolver.Run
                        do { run = try await ScriptedSolver().run(task.solution, in: browser) } catch {
                            await browser.close()
                            throw error
                        }
                        let result = await harness.evaluate(task, answer: run.answer, browser: browser)
                        await browser.close()
                        if result.passed { solved[site, default: 0] += 1 } else {
                            failures.append("\(site) task \(task.taskID) (\(task.intent)): solution failed\n\(result)")
                        }
                    } catch {
                        failures.append("\(site) task \(task.taskID) (\(task.intent)): solution did not run: \(error)")
                    }
                }
            }
            return failures
        }
        print("chromium: sampled scripted solutions that pass the evaluator: \(solved)")
        XCTAssertTrue(failures.isEmpty, failures.joined(separator: "\n"))
        for site in SiteName.allCases {
            XCTAssertGreaterThanOrEqual(solved[site] ?? 0, 2, "\(site): the sample covers each evaluator combination")
        }
    }

    /// Chromium's page reading must not pass checks vacuously: on the untouched sites, before the
    /// task is done, every sampled task's page-content checks fail.
    func testPageChecksFailInChromiumBeforeTheTaskIsDone() async throws {
        var checked = 0
        let passedUntouched = try await withChromiumHarness { harness in
            var passed: [String] = []
            for site in SiteName.allCases {
                for var task in Self.sample(try await harness.tasks(for: site)) where task.eval.evalTypes.contains(.programHTML) {
                    task.eval.evalTypes = [.programHTML]
                    let (browser, _) = try await harness.prepare(task)
                    let result = await harness.evaluate(task, answer: "", browser: browser)
                    await browser.close()
                    if result.passed { passed.append("\(site) task \(task.taskID)'s page checks pass untouched:\n\(result)") }
                    checked += 1
                }
            }
            return passed
        }
        XCTAssertTrue(passedUntouched.isEmpty, passedUntouched.joined(separator: "\n"))
        XCTAssertGreaterThanOrEqual(checked, 6)
    }

    // MARK: -

    /// The easiest task of each evaluator combination, the easiest using each kind of solution step
    /// not yet covered (select, back, ...), and every task whose page check has a locator.
    static func sample(_ tasks: [TaskConfig]) -> [TaskConfig] {
        let ordered = tasks.sorted { ($0.difficulty, $0.taskID) < ($1.difficulty, $1.taskID) }
        func combination(_ task: TaskConfig) -> [String] { task.eval.evalTypes.map(\.rawValue).sorted() }
        var chosen = Set<Int>()
        var seen = Set<[String]>()
        for task in ordered where seen.insert(combination(task)).inserted { chosen.insert(task.taskID) }
        var stepKinds = Set<String>()
        for task in ordered where chosen.contains(task.taskID) { stepKinds.formUnion(task.solution.map(stepKind)) }
        for task in ordered where !stepKinds.isSuperset(of: task.solution.map(stepKind)) {
            stepKinds.formUnion(task.solution.map(stepKind))
            chosen.insert(task.taskID)
        }
        for task in ordered where (task.eval.programHTML ?? []).contains(where: { !$0.locator.isEmpty }) {
            chosen.insert(task.taskID)
        }
        return ordered.filter { chosen.contains($0.taskID) }
    }

    static func stepKind(_ step: SolutionStep) -> String {
        switch step {
        case .click: "click"
        case .type: "type"
        case .select: "select"
        case .goto: "goto"
        case .back: "back"
        case .stop: "stop"
        }
    }

    /// Every bundled site on one instance and one Chromium, torn down after `body`.
    private func withChromiumHarness<T>(_ body: (TaskHarness) async throws -> T) async throws -> T {
        try TestRequirements.chromium()
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-chromium-tasks-\(getpid())-\(UUID().uuidString)")
        let cluster = try await SiteCluster.start(sites: SiteName.allCases, dataDirectory: data, seed: TaskSet.seed)
        let chromium: ChromiumBrowser
        do { chromium = try await ChromiumBrowser.launch() } catch {
            await cluster.shutdown()
            throw error
        }
        let harness = TaskHarness(cluster: cluster, browsers: ChromiumBrowserSource(browser: chromium))
        let result: Result<T, Error>
        do { result = .success(try await body(harness)) } catch { result = .failure(error) }
        chromium.close()
        await cluster.shutdown()
        try? FileManager.default.removeItem(at: data)
        return try result.get()
    }
}
