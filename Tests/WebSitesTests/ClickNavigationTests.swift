import Foundation
import WebBrowser
import XCTest
@testable import WebSites
@testable import WebTasks

/// The scripted solutions' `goto` steps, rewritten into clicks and typing on the live sites: the
/// rewritten solutions name elements instead of URLs and still pass their tasks' checks.
final class ClickNavigationTests: XCTestCase {
    func testGotoStepsBecomeClicksOrSearchesThatStillSolveTheTasks() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-clicknav-\(getpid())")
        defer { try? FileManager.default.removeItem(at: data) }
        let sites: [SiteName] = [.forum, .wiki, .code]
        let cluster = try await SiteCluster.start(sites: sites, dataDirectory: data, seed: TaskSet.seed)
        do {
            let harness = TaskHarness(cluster: cluster)
            // Every task of the three sites whose solution jumps somewhere, a few per site to bound the time.
            var tasks: [TaskConfig] = []
            for site in sites {
                tasks += try TaskSet.load(site: site).tasks.filter { task in
                    task.solution.contains { if case .goto = $0 { return true } else { return false } }
                }.prefix(6)
            }
            let started = Date()
            let (rewritten, summary) = try await ClickNavigation().rewrite(tasks, harness: harness)
            print("ClickNavigation: \(summary) in \(Int(Date().timeIntervalSince(started))) s")
            XCTAssertEqual(summary.failedTasks, [])
            XCTAssertEqual(summary.gotos, tasks.flatMap(\.solution).filter { if case .goto = $0 { true } else { false } }.count)
            XCTAssertGreaterThanOrEqual(Double(summary.replaced), 0.8 * Double(summary.gotos), "\(summary)")

            let placeholders = Dictionary(uniqueKeysWithValues: await cluster.baseURLs().map { ($0.key.urlPlaceholder, $0.value) })
            for (original, task) in zip(tasks, rewritten) {
                // Placeholders survive: no instance URL leaks into the solution.
                XCTAssertFalse(task.solution.description.contains("127.0.0.1"), "\(task.solution)")
                let live = task.substituting(placeholders)
                let (browser, _) = try await harness.prepare(live)
                let run = try await ScriptedSolver().run(live.solution, in: browser)
                let result = await harness.evaluate(live, answer: run.answer, browser: browser)
                XCTAssertTrue(result.passed, "task \(task.taskID) (\(task.intent)): \(original.solution) → \(task.solution): \(result)")
            }
            // A search URL is reached by typing into the search box, not by a link.
            let search = try XCTUnwrap(zip(tasks, rewritten).first { $0.0.solution.description.contains("search?pattern=") })
            XCTAssertTrue(search.1.solution.contains { if case .type(_, _, true) = $0 { true } else { false } }, "\(search.1.solution)")
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
    }
}
