import Foundation
import GRDB
import NNetnavSupport
import WebBrowser
import XCTest
@testable import WebSites
@testable import WebTasks

/// Replays a site's task set with the project's browser: every scripted solution must pass the
/// `TaskEvaluator` and read its answer off a page it visited; stopping at once with a wrong answer
/// must fail.
struct TaskReplay {
    let site: SiteUnderTest
    /// The sign-in form's submit button; the harness signs in as the task's `login` with `password`.
    let loginButton: String?
    var password = ""

    /// A fresh browser on the pristine site, signed in as the task's account, on the start page.
    func prepare(_ task: TaskConfig) async throws -> BrowserSession {
        try await site.reset()
        let browser = BrowserSession(configuration: BrowserConfiguration(allowedURLPrefixes: [site.baseURL]))
        _ = try await browser.reset(startURL: task.startURL)   // a reset also clears cookies: sign in after it
        if let account = task.login, let loginButton {
            _ = try await ScriptedSolver().run([
                .goto(site.url("/login")),
                .type(ElementLocator(role: "textbox", name: "Username"), text: account, enter: false),
                .type(ElementLocator(role: "textbox", name: "Password"), text: password, enter: false),
                .click(ElementLocator(role: "button", name: loginButton)),
            ], in: browser)
            if browser.currentURL.contains("/login") {
                throw SiteAccounts.Error.loginFailed(account: account, url: browser.currentURL, detail: "still on the sign-in page")
            }
            _ = try await browser.step(.goto(url: task.startURL))
        }
        return browser
    }

    /// Runs the solution a step at a time, collecting the text of every page it lands on.
    func solve(_ task: TaskConfig, in browser: BrowserSession) async throws -> (answer: String, pages: [String]) {
        var pages = [try browser.text(.page) ?? ""]
        var answer = ""
        for step in task.solution {
            let run = try await ScriptedSolver().run([step], in: browser)
            if case .stop = step { answer = run.answer }
            pages.append(try browser.text(.page) ?? "")
        }
        return (answer, pages)
    }

    /// The answer must be on a page the solution visited, unless its stop step is marked
    /// `"computed": true` (a sum or comparison of values that were on the pages).
    func isGrounded(_ task: TaskConfig, pages: [String], computed: Set<Int>) -> Bool {
        guard task.eval.evalTypes.contains(.stringMatch), !computed.contains(task.taskID),
              let reference = task.eval.referenceAnswers else { return true }
        let expected = (reference.mustInclude ?? []) + [reference.exactMatch].compactMap { $0 }
        return expected.allSatisfy { value in pages.contains { AnswerText.includes($0, value) } }
    }

    /// Tasks whose stop step carries `"computed": true` (read from the raw file: the flag is ours).
    func computedTasks() throws -> Set<Int> {
        let file = ProjectLayout.current.environments.appendingPathComponent(site.name.rawValue).appendingPathComponent("tasks.json")
        let raw = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [[String: Any]] ?? []
        return Set(raw.compactMap { task in
            ((task["solution"] as? [[String: Any]])?.last?["computed"] as? Bool == true) ? task["task_id"] as? Int : nil
        })
    }

    func verifyAll() async throws -> (count: Int, failures: [String]) {
        let tasks = try TaskSet.load(site: site.name, baseURLs: [site.name: site.baseURL]).tasks
        let computed = try computedTasks()
        let databases: [SiteName: DatabaseQueue] = [site.name: try await site.cluster.database(site.name)]
        let evaluator = TaskEvaluator()
        var failures: [String] = []
        for task in tasks {
            do {
                let browser = try await prepare(task)
                let (answer, pages) = try await solve(task, in: browser)
                let result = await evaluator.evaluate(task, answer: answer, browser: browser, databases: databases)
                if !result.passed {
                    failures.append("task \(task.taskID) (\(task.intent)): solution failed\n\(result)")
                } else if !isGrounded(task, pages: pages, computed: computed) {
                    failures.append("task \(task.taskID) (\(task.intent)): the answer is on no page the solution visited")
                }
            } catch {
                failures.append("task \(task.taskID) (\(task.intent)): solution did not run: \(error)")
            }
            do {
                let browser = try await prepare(task)
                let result = await evaluator.evaluate(task, answer: "zzz wrong 987654", browser: browser, databases: databases)
                if result.passed { failures.append("task \(task.taskID) (\(task.intent)): a wrong attempt passed") }
            } catch {
                failures.append("task \(task.taskID) could not be prepared: \(error)")
            }
        }
        try await site.reset()
        return (tasks.count, failures)
    }
}
