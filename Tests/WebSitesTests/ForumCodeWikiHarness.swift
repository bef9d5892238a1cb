import Foundation
import GRDB
import Hummingbird
import HTTPTransport
import NIOCore
import NNetnavSupport
import XCTest
@testable import WebSites

/// Test plumbing for the forum, code and wiki sites: serves one site on a free local port over a
/// database that `reset()` restores from a pristine seeded copy, and runs task configs.
final class SiteUnderTest: @unchecked Sendable {
    let name: String
    let baseURL: String
    private let live: DatabaseQueue
    private let pristine: DatabaseQueue
    private let server: Task<Void, Error>

    init(name: String, baseURL: String, live: DatabaseQueue, pristine: DatabaseQueue, server: Task<Void, Error>) {
        self.name = name; self.baseURL = baseURL; self.live = live; self.pristine = pristine; self.server = server
    }

    static func start(
        name: String, seed: UInt64 = 0,
        prepare: @escaping @Sendable (Database, UInt64) throws -> Void,
        addRoutes: @escaping @Sendable (Router<BasicRequestContext>, any DatabaseWriter) -> Void
    ) async throws -> SiteUnderTest {
        let pristine = try DatabaseQueue()
        try await pristine.write { try prepare($0, seed) }
        let live = try DatabaseQueue()
        try pristine.backup(to: live)
        let router = Router()
        addRoutes(router, live)
        let (portStream, portContinuation) = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) })
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = portStream.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw HTTPError.connectionFailed(url: "127.0.0.1", message: "\(name) did not start") }
        return SiteUnderTest(name: name, baseURL: "http://127.0.0.1:\(port)", live: live, pristine: pristine, server: server)
    }

    /// Restores the seeded content (what a task's `require_reset` asks for).
    func reset() throws { try pristine.backup(to: live) }

    func read<T>(_ body: (Database) throws -> T) throws -> T { try live.read(body) }

    func shutdown() { server.cancel() }

    func url(_ path: String) -> String { path.hasPrefix("http") ? path : baseURL + path }
}

/// A browser-less client for walking the sites in tests: GETs and form POSTs with cookies.
struct SiteClient {
    let site: SiteUnderTest
    let http = HTTPClient()

    func get(_ path: String) async throws -> HTTPTransport.HTTPResponse {
        try await http.send(HTTPTransport.HTTPRequest(url: site.url(path)))
    }

    func post(_ path: String, _ fields: [String: String]) async throws -> HTTPTransport.HTTPResponse {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.sorted { $0.key < $1.key }.map {
            "\($0.key.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&")
        return try await http.send(HTTPTransport.HTTPRequest(method: .post, url: site.url(path),
                                               headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                               body: Data(body.utf8)))
    }
}

/// Runs a site's task configs (`environments/<site>/tasks.json`) over HTTP: the scripted
/// `solution` (goto = GET, submit = form POST, stop = answer), then WebArena's checks
/// (string_match, url_match, program_html with an empty locator).
struct TaskConfigRunner {
    struct Login { let path: String; let fields: [String: String] }

    let site: SiteUnderTest
    let placeholder: String
    let login: Login?

    func loadTasks() throws -> [[String: Any]] {
        let url = ProjectLayout.current.environments.appendingPathComponent(site.name).appendingPathComponent("tasks.json")
        let data = try Data(contentsOf: url)
        guard let tasks = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return tasks
    }

    func resolve(_ url: String) -> String { url.replacingOccurrences(of: placeholder, with: site.baseURL) }

    /// Runs `steps` from a fresh, logged-in client; returns the final answer, the final URL and
    /// the visible text of every page the steps landed on.
    func run(_ task: [String: Any], steps: [[String: Any]]) async throws -> (answer: String, url: String, pages: [String]) {
        if task["require_reset"] as? Bool == true { try site.reset() }
        let client = SiteClient(site: site)
        if task["require_login"] as? Bool == true, let login {
            _ = try await client.post(login.path, login.fields)
        }
        var url = resolve(task["start_url"] as? String ?? "")
        var pages = [Self.visibleText(try await client.get(url).text)]
        var answer = ""
        for step in steps {
            switch step["action"] as? String {
            case "goto":
                let response = try await client.get(resolve(step["url"] as! String))
                url = response.url
                pages.append(Self.visibleText(response.text))
            case "submit":
                let fields = step["fields"] as? [String: String] ?? [:]
                let response = try await client.post(resolve(step["url"] as! String), fields)
                url = response.url
                pages.append(Self.visibleText(response.text))
            case "stop":
                answer = step["answer"] as? String ?? ""
            default:
                XCTFail("unknown solution step \(step)")
            }
        }
        return (answer, url, pages)
    }

    /// A scripted answer must be read off the site, not only agree with the config: every
    /// reference string has to appear on a page the solution visited, unless the stop step marks
    /// the answer as `computed` (a sum or comparison of values that were on the pages).
    func isGrounded(_ task: [String: Any], pages: [String]) -> Bool {
        let eval = task["eval"] as! [String: Any]
        guard (eval["eval_types"] as! [String]).contains("string_match") else { return true }
        let stop = (task["solution"] as? [[String: Any]])?.last
        if stop?["computed"] as? Bool == true { return true }
        let reference = eval["reference_answers"] as! [String: Any]
        let expected = (reference["must_include"] as? [String] ?? []) + [reference["exact_match"] as? String].compactMap { $0 }
        let seen = pages.map { $0.lowercased() }
        return expected.allSatisfy { value in seen.contains { $0.contains(value.lowercased()) } }
    }

    /// WebArena's evaluators, multiplied: true only when every listed check passes.
    func evaluate(_ task: [String: Any], answer: String, url: String) async throws -> Bool {
        let eval = task["eval"] as! [String: Any]
        let types = eval["eval_types"] as! [String]
        func normalize(_ s: String) -> String {
            s.lowercased().trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "\"'")))
        }
        if types.contains("string_match") {
            let reference = eval["reference_answers"] as! [String: Any]
            if let exact = reference["exact_match"] as? String, normalize(exact) != normalize(answer) { return false }
            if let include = reference["must_include"] as? [String],
               !include.allSatisfy({ normalize(answer).contains(normalize($0)) }) { return false }
        }
        if types.contains("url_match") {
            guard let gold = URLComponents(string: resolve(eval["reference_url"] as! String)),
                  let predicted = URLComponents(string: url) else { return false }
            guard predicted.path.removingPercentEncoding!.contains(gold.path.removingPercentEncoding!) else { return false }
            let predictedItems = Set((predicted.queryItems ?? []).map { "\($0.name)=\($0.value ?? "")" })
            for item in gold.queryItems ?? [] where !predictedItems.contains("\(item.name)=\(item.value ?? "")") { return false }
        }
        if types.contains("program_html") {
            let client = SiteClient(site: site)
            if task["require_login"] as? Bool == true, let login { _ = try await client.post(login.path, login.fields) }
            for check in eval["program_html"] as! [[String: Any]] {
                let page = try await client.get(resolve(check["url"] as! String))
                let text = Self.visibleText(page.text).lowercased()
                let required = (check["required_contents"] as! [String: Any])["must_include"] as? [String] ?? []
                if !required.allSatisfy({ text.contains($0.lowercased()) }) { return false }
            }
        }
        return true
    }

    /// Page text with tags removed and the common entities decoded.
    static func visibleText(_ html: String) -> String {
        var out = "", inTag = false
        for ch in html {
            if ch == "<" { inTag = true; out.append(" ") } else if ch == ">" { inTag = false } else if !inTag { out.append(ch) }
        }
        for (entity, char) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            out = out.replacingOccurrences(of: entity, with: char)
        }
        return out.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// A wrong attempt for the task: a wrong answer, staying on the start page, and no state change.
    func wrongSteps(_ task: [String: Any]) -> [[String: Any]] {
        [["action": "stop", "answer": "I could not find it"]]
    }

    /// Every task's solution must pass and a wrong attempt must fail; returns failure messages.
    func verifyAll() async throws -> (count: Int, failures: [String]) {
        var failures: [String] = []
        let tasks = try loadTasks()
        for task in tasks {
            let id = task["task_id"] as? Int ?? -1
            let solution = task["solution"] as? [[String: Any]] ?? []
            let good = try await run(task, steps: solution)
            if !(try await evaluate(task, answer: good.answer, url: good.url)) {
                failures.append("task \(id): solution failed (\(task["intent"] ?? ""))")
            } else if !isGrounded(task, pages: good.pages) {
                failures.append("task \(id): the answer is on none of the pages the solution visited (\(task["intent"] ?? ""))")
            }
            try site.reset()
            let bad = try await run(task, steps: wrongSteps(task))
            if try await evaluate(task, answer: bad.answer, url: bad.url) {
                failures.append("task \(id): a wrong attempt passed (\(task["intent"] ?? ""))")
            }
            try site.reset()
        }
        return (tasks.count, failures)
    }
}
