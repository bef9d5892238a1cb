import Foundation
import HTTPTransport
import NNetnavSupport
import WebTasks
import XCTest
@testable import WebSites

/// A test double for the browser, good enough for this project's own server-rendered HTML: it
/// follows links by their text, fills fields by their `<label>`, and submits the form around a
/// button by its text, over HTTP with cookies. It executes `SolutionStep`s the way the real
/// browser's scripted solver will, so a solution that names a missing link, label or button fails.
final class HTMLFormDriver {
    struct StepError: Error, CustomStringConvertible { let description: String }

    let http = HTTPClient()
    private(set) var url = ""
    private(set) var html = ""
    private(set) var visitedText: [String] = []
    private var history: [String] = []
    private var filled: [String: String] = [:]

    func open(_ target: String) async throws {
        try await load(try await http.send(HTTPRequest(url: absolute(target))))
    }

    func perform(_ step: SolutionStep) async throws {
        switch step {
        case .goto(let target): try await open(target)
        case .back:
            guard history.count > 1 else { throw StepError(description: "no page to go back to") }
            history.removeLast()
            try await open(history.removeLast())
        case .click(let locator):
            if locator.role == "link" { try await open(try link(named: locator.name)) } else { try await press(locator.name) }
        case .type(let locator, let text, let enter):
            let field = try fieldName(labelled: locator.name)
            filled[field] = text
            if enter { try await submitForm(containingField: field) }
        case .select(let locator, let value):
            let field = try fieldName(labelled: locator.name)
            guard html.contains("<option value=\"\(HTML.escape(value))\"") else {
                throw StepError(description: "no option '\(value)' in '\(locator.name)' on \(url)")
            }
            filled[field] = value
        case .stop: break
        }
    }

    private func load(_ response: HTTPResponse) async throws {
        url = response.url
        html = response.text
        history.append(url)
        visitedText.append(TaskReplay.visibleText(html))
        filled = [:]
    }

    private func absolute(_ target: String) -> String {
        if target.hasPrefix("http") { return target }
        let origin = url.components(separatedBy: "/").prefix(3).joined(separator: "/")
        return origin + target.replacingOccurrences(of: "&amp;", with: "&")
    }

    private static func innerText(_ fragment: String) -> String {
        TaskReplay.visibleText(fragment)
    }

    private func matches(_ pattern: String) -> [[String]] {
        let regex = try! NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
        let ns = html as NSString
        return regex.matches(in: html, range: NSRange(location: 0, length: ns.length)).map { m in
            (0..<m.numberOfRanges).map { m.range(at: $0).location == NSNotFound ? "" : ns.substring(with: m.range(at: $0)) }
        }
    }

    private func link(named name: String) throws -> String {
        guard let href = matches(#"<a href="([^"]*)"[^>]*>(.*?)</a>"#).first(where: { Self.innerText($0[2]) == name })?[1] else {
            throw StepError(description: "no link '\(name)' on \(url)")
        }
        return href
    }

    private func fieldName(labelled label: String) throws -> String {
        guard let id = matches(#"<label for="([^"]+)">(.*?)</label>"#).first(where: { Self.innerText($0[2]) == label })?[1],
              let name = matches(#"<(?:input|textarea|select)[^>]*id="\#(id)"[^>]*>"#).first
                .flatMap({ NSRegularExpression.firstGroup(#"name="([^"]+)""#, in: $0[0]) }) else {
            throw StepError(description: "no field labelled '\(label)' on \(url)")
        }
        return name
    }

    /// The forms of the page as (method, action, body HTML).
    private func forms() -> [(method: String, action: String, body: String)] {
        matches(#"<form([^>]*)>(.*?)</form>"#).map { m in
            (NSRegularExpression.firstGroup(#"method="([^"]+)""#, in: m[1]) ?? "get",
             NSRegularExpression.firstGroup(#"action="([^"]+)""#, in: m[1]) ?? url, m[2])
        }
    }

    private func press(_ name: String) async throws {
        guard let form = forms().first(where: { form in
            NSRegularExpression.allGroups(#"<button[^>]*>(.*?)</button>"#, in: form.body).contains { Self.innerText($0) == name }
        }) else { throw StepError(description: "no button '\(name)' on \(url)") }
        try await submit(form)
    }

    private func submitForm(containingField field: String) async throws {
        guard let form = forms().first(where: { $0.body.contains("name=\"\(field)\"") }) else {
            throw StepError(description: "no form with field \(field) on \(url)")
        }
        try await submit(form)
    }

    /// Posts the form's current values: defaults from the markup, overridden by typed ones.
    private func submit(_ form: (method: String, action: String, body: String)) async throws {
        var fields: [(String, String)] = []
        let unescape = { (s: String) in TaskReplay.decodeEntities(s) }
        for tag in NSRegularExpression.allGroups(#"(<input[^>]*>)"#, in: form.body) {
            guard let name = NSRegularExpression.firstGroup(#"name="([^"]+)""#, in: tag) else { continue }
            fields.append((name, unescape(NSRegularExpression.firstGroup(#"value="([^"]*)""#, in: tag) ?? "")))
        }
        for m in NSRegularExpression.allMatches(#"<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>"#, in: form.body) {
            fields.append((m[1], unescape(m[2])))
        }
        for m in NSRegularExpression.allMatches(#"<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>"#, in: form.body) {
            let options = NSRegularExpression.allMatches(#"<option value="([^"]*)"([^>]*)>"#, in: m[2])
            let chosen = options.first(where: { $0[2].contains("selected") }) ?? options.first
            fields.append((m[1], unescape(chosen?[1] ?? "")))
        }
        fields = fields.map { ($0.0, filled[$0.0] ?? $0.1) }
        let encoded = fields.map { "\(FormData.escape($0.0))=\(FormData.escape($0.1))" }.joined(separator: "&")
        let action = absolute(unescape(form.action))
        if form.method.lowercased() == "post" {
            try await load(try await http.send(HTTPRequest(method: .post, url: action,
                headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Data(encoded.utf8))))
        } else {
            try await load(try await http.send(HTTPRequest(url: action + "?" + encoded)))
        }
    }
}

extension NSRegularExpression {
    static func allMatches(_ pattern: String, in text: String) -> [[String]] {
        let regex = try! NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
        let ns = text as NSString
        return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { m in
            (0..<m.numberOfRanges).map { m.range(at: $0).location == NSNotFound ? "" : ns.substring(with: m.range(at: $0)) }
        }
    }
    static func allGroups(_ pattern: String, in text: String) -> [String] { allMatches(pattern, in: text).map { $0[1] } }
    static func firstGroup(_ pattern: String, in text: String) -> String? { allGroups(pattern, in: text).first }
}

/// Replays a site's task set: every scripted solution must pass WebTasks' checks (and read its
/// answer off a visited page), and a wrong attempt (a wrong answer, no state change) must fail.
struct TaskReplay {
    let site: SiteUnderTest
    /// The text of the sign-in button; the harness signs in as the task's `login` with the
    /// seeded password before the task starts.
    let loginButton: String?
    var password = ""

    static func visibleText(_ html: String) -> String {
        var out = "", inTag = false
        for ch in html {
            if ch == "<" { inTag = true; out.append(" ") } else if ch == ">" { inTag = false } else if !inTag { out.append(ch) }
        }
        return decodeEntities(out).split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    static func decodeEntities(_ text: String) -> String {
        var out = text
        for (entity, char) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&middot;", "·"), ("&amp;", "&")] {
            out = out.replacingOccurrences(of: entity, with: char)
        }
        return out
    }

    func run(_ task: TaskConfig, steps: [SolutionStep]) async throws -> (answer: String, driver: HTMLFormDriver) {
        if task.requireReset == true { try await site.reset() }
        let driver = HTMLFormDriver()
        if task.requireLogin, let account = task.login, let loginButton {
            try await driver.open(site.url("/login"))
            for step: SolutionStep in [.type(.init(role: "textbox", name: "Username"), text: account, enter: false),
                                       .type(.init(role: "textbox", name: "Password"), text: password, enter: false),
                                       .click(.init(role: "button", name: loginButton))] {
                try await driver.perform(step)
            }
        }
        try await driver.open(task.startURL)
        var answer = ""
        for step in steps {
            try await driver.perform(step)
            if case .stop(let text) = step { answer = text }
        }
        return (answer, driver)
    }

    func evaluate(_ task: TaskConfig, answer: String, finalURL: String) async throws -> EvaluationResult {
        var checks: [CheckResult] = []
        let eval = task.eval
        if eval.evalTypes.contains(.stringMatch), let reference = eval.referenceAnswers {
            checks += await StringMatch().evaluate(answer: answer, reference: reference, intent: task.intent)
        }
        if eval.evalTypes.contains(.urlMatch), let reference = eval.referenceURL {
            checks.append(URLMatch().evaluate(finalURL: finalURL, reference: reference, note: eval.urlNote))
        }
        if eval.evalTypes.contains(.programHTML) {
            // Whole-page checks as WebArena's empty locator; read as the task's account.
            let reader = try await run(TaskConfig(taskID: task.taskID, sites: task.sites, intent: "", startURL: site.url("/"),
                                                  requireLogin: task.requireLogin, login: task.login, difficulty: 1,
                                                  eval: EvalSpec(evalTypes: []), solution: []), steps: [])
            for check in eval.programHTML ?? [] {
                try await reader.driver.open(check.url == "last" ? finalURL : check.url)
                let text = reader.driver.visitedText.last!.lowercased()
                let include = check.requiredContents.mustInclude ?? []
                let exclude = check.requiredContents.mustExclude ?? []
                let passed = include.allSatisfy { text.contains($0.lowercased()) } && !exclude.contains { text.contains($0.lowercased()) }
                checks.append(CheckResult(kind: "program_html", passed: passed, reason: "\(check.url) must include \(include)"))
            }
        }
        for spec in eval.dbChecks ?? [] {
            checks.append(await DatabaseCheck().evaluate(spec, database: try await site.cluster.database(site.name)))
        }
        return EvaluationResult(checks: checks)
    }

    /// The answer must be on a page the solution visited, unless the stop step marks it computed.
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
        var failures: [String] = []
        for task in tasks {
            try await site.reset()
            do {
                let good = try await run(task, steps: task.solution)
                let verdict = try await evaluate(task, answer: good.answer, finalURL: good.driver.url)
                if !verdict.passed {
                    failures.append("task \(task.taskID) (\(task.intent)): solution failed\n\(verdict)")
                } else if !isGrounded(task, pages: good.driver.visitedText, computed: computed) {
                    failures.append("task \(task.taskID) (\(task.intent)): the answer is on no page the solution visited")
                }
            } catch {
                failures.append("task \(task.taskID) (\(task.intent)): \(error)")
            }
            try await site.reset()
            let wrong = try await run(task, steps: [.stop("I could not find it")])
            if try await evaluate(task, answer: wrong.answer, finalURL: wrong.driver.url).passed {
                failures.append("task \(task.taskID) (\(task.intent)): a wrong attempt passed")
            }
        }
        try await site.reset()
        return (tasks.count, failures)
    }
}
