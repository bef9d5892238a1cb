import Foundation
import GRDB
import WebBrowser
import WebSites
import XCTest
@testable import WebTasks

/// Every shop and admin task: its scripted solution, run with the project's browser, must pass
/// the evaluator; stopping at once with a wrong answer must fail it.
final class StoreTaskTests: XCTestCase {
    func testEveryShopTaskSolutionPassesAndAWrongAnswerFails() async throws {
        try await checkTasks(of: .shop)
    }

    func testEveryAdminTaskSolutionPassesAndAWrongAnswerFails() async throws {
        try await checkTasks(of: .admin)
    }

    func testBrowserWalksTheShopAndSeesASemanticPage() async throws {
        let cluster = try await StoreClusterFixture.shared.cluster()
        try await cluster.reset(.shop)
        let urls = await cluster.baseURLs()
        let browser = BrowserSession()
        var observation = try await browser.reset(startURL: urls[.shop]!)
        XCTAssertTrue(observation.text.contains("heading 'Welcome to One Stop Market'"), observation.text)
        XCTAssertTrue(observation.text.contains("searchbox 'Search entire store here'"), observation.text)
        try await SiteAccounts.signIn("emma.lopez@example.com", browser: browser, baseURLs: urls)
        let run = try await ScriptedSolver().run([
            .type(ElementLocator(role: "searchbox", name: "Search entire store here"), text: "coffee", enter: true),
            .click(ElementLocator(role: "link", name: "Peak Pantry Honey Whole Bean Coffee")),
            .click(ElementLocator(role: "button", name: "Add to Cart")),
        ], in: browser)
        XCTAssertTrue(run.finalURL.hasSuffix("/cart"), run.finalURL)
        observation = browser.observation
        XCTAssertTrue(observation.text.contains("You added Peak Pantry Honey Whole Bean Coffee"), observation.text)
        XCTAssertTrue(observation.text.contains("columnheader 'Subtotal'"), observation.text)
    }

    func testMissingElementInASolutionIsReportedWithTheStep() async throws {
        let cluster = try await StoreClusterFixture.shared.cluster()
        let browser = BrowserSession()
        _ = try await browser.reset(startURL: await cluster.baseURL(.shop))
        do {
            _ = try await ScriptedSolver().run([.click(ElementLocator(role: "button", name: "Teleport"))], in: browser)
            XCTFail("a missing element must stop the solution")
        } catch let error as ScriptedSolver.Error {
            XCTAssertTrue(error.description.contains("step 1"), error.description)
            XCTAssertTrue(error.description.contains("Teleport"), error.description)
        }
    }

    func testPageContentChecksFailOnTheUntouchedStore() async throws {
        let cluster = try await StoreClusterFixture.shared.cluster()
        let harness = TaskHarness(cluster: cluster)
        var checked = 0
        for site in [SiteName.shop, .admin] {
            for var task in try await harness.tasks(for: site) where task.eval.evalTypes.contains(.programHTML) {
                task.eval.evalTypes = [.programHTML]
                let (browser, _) = try await harness.prepare(task)
                let result = await harness.evaluate(task, answer: "", browser: browser)
                XCTAssertFalse(result.passed, "task \(task.taskID)'s page checks pass without doing the task:\n\(result)")
                checked += 1
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 4)
    }

    func testPageCheckSelectorsParseAndRejects() {
        XCTAssertNotNil(CSSSelectorList("main table td.total"))
        XCTAssertNotNil(CSSSelectorList("input[name=qty]"))
        XCTAssertNotNil(CSSSelectorList("#f-qty"))
        XCTAssertNotNil(CSSSelectorList("ul > li"))
        XCTAssertNil(CSSSelectorList(""))
        XCTAssertNil(CSSSelectorList("td[name"))
    }

    // MARK: -

    private func checkTasks(of site: SiteName) async throws {
        let cluster = try await StoreClusterFixture.shared.cluster()
        let harness = TaskHarness(cluster: cluster)
        var failures: [String] = []
        for task in try await harness.tasks(for: site) {
            // The expert solution passes.
            do {
                let (browser, _) = try await harness.prepare(task)
                let run = try await ScriptedSolver().run(task.solution, in: browser)
                let result = await harness.evaluate(task, answer: run.answer, browser: browser)
                if !result.passed { failures.append("task \(task.taskID) solution failed: \(task.intent)\n\(result)") }
            } catch {
                failures.append("task \(task.taskID) solution did not run: \(error)")
            }
            // Stopping at once with a wrong answer fails.
            do {
                let (browser, _) = try await harness.prepare(task)
                let result = await harness.evaluate(task, answer: "zzz wrong 987654", browser: browser)
                if result.passed { failures.append("task \(task.taskID) passed with a wrong answer: \(task.intent)") }
            } catch {
                failures.append("task \(task.taskID) could not be prepared: \(error)")
            }
        }
        XCTAssertTrue(failures.isEmpty, failures.joined(separator: "\n"))
    }
}
