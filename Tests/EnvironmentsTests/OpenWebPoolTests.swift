import ChromiumBrowser
import Foundation
@preconcurrency import HTTPTransport
import HTTPServer
import Pipeline
import WebBrowser
import XCTest
@testable import Environments
import TestSupport

/// Open-web exploration offline: Chromium maps the `*.test` hosts to a loopback server serving
/// copies of a recipe site's pages, with a robots.txt, links to another host, a cookie banner and
/// a link opening a new tab.
final class OpenWebPoolTests: XCTestCase {
    /// What the server saw: each request's host, path, User-Agent and time.
    final class Log: @unchecked Sendable {
        struct Entry { var host: String; var path: String; var agent: String; var time: ContinuousClock.Instant }
        private let lock = NSLock()
        private var entries: [Entry] = []
        func add(_ e: Entry) { lock.withLock { entries.append(e) } }
        var all: [Entry] { lock.withLock { entries } }
    }

    static func page(_ title: String, _ body: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(string: """
            <!doctype html><html><head><title>\(title)</title></head><body>
            <div id="consent" role="dialog" aria-label="Cookie consent"><p>We use cookies.</p><button onclick="document.getElementById('consent').remove()">Accept all</button></div>
            \(body)</body></html>
            """))
    }

    static let agent = "nnetnav-live-test/1.0 (offline test crawler)"

    func router(_ log: Log) -> Router<BasicRequestContext> {
        let router = Router()
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let host = request.headers[.host] ?? ""
            let port = host.split(separator: ":").last.map(String.init) ?? ""
            log.add(.init(host: host, path: request.uri.path, agent: request.headers[.userAgent] ?? "", time: .now))
            switch request.uri.path {
            case "/robots.txt":
                return Response(status: .ok, body: .init(string: "User-agent: *\nDisallow: /private\n\nUser-agent: nnetnav-live-test\nDisallow: /private\nDisallow: /members\n"))
            case "/":
                return Self.page("Recipes", """
                    <h1>Recipes</h1><img src="http://cdn.test:\(port)/logo.png" alt="Recipes logo"><a href="/recipes/1">Lasagna</a> <a href="/recipes/2" target="_blank">Soup (new tab)</a>
                    <a href="/private/secret">Staff only</a> <a href="/members">Members</a>
                    <a href="http://other.test:\(port)/ads">Partner site</a>
                    """)
            case "/recipes/1": return Self.page("Lasagna", "<h1>Vegetarian Lasagna</h1><p>312 reviews</p>")
            case "/recipes/2": return Self.page("Soup", "<h1>Tomato Soup</h1>")
            default: return Self.page("Other", "<h1>\(request.uri.path)</h1>")
            }
        }
        router.get("/", use: handler)
        router.get("**", use: handler)
        return router
    }

    func testEpisodesStayOnTheirSiteHonourRobotsTxtWaitTheirTurnAndStopAtThePageBudget() async throws {
        try TestRequirements.chromium()
        let log = Log()
        try await LoopbackHTTPServer.with(router: router(log), label: "open-web") { port in
            var configuration = ChromiumBrowser.Configuration()
            configuration.extraArguments += ["--host-resolver-rules=MAP *.test 127.0.0.1", "--user-agent=\(Self.agent)"]
            let chromium = try await ChromiumBrowser.launch(configuration)
            defer { chromium.close() }
            // robots.txt over libcurl, the *.test host sent as the Host header of a loopback request.
            let client = HTTPClient(configuration: .init(timeout: 10, keepsCookies: false, userAgent: Self.agent))
            let robots = RobotsPolicy(userAgent: Self.agent) { url in
                guard let c = URLComponents(string: url), let host = c.host else { return nil }
                let local = url.replacingOccurrences(of: "//\(host):", with: "//127.0.0.1:")
                guard let r = try? await client.send(HTTPTransport.HTTPRequest(url: local, headers: [("Host", "\(host):\(port)")])) else { return nil }
                return (r.status, String(decoding: r.body, as: UTF8.self))
            }
            let list = try OpenWebStartList(parsing: "# recipe sites\nhttp://www.recipes.test:\(port)/\n")
            let pool = OpenWebPool(startList: list, politeness: OpenWebPoliteness(userAgent: Self.agent, perHostInterval: 0.4, maxPages: 4),
                                   instances: 1, browser: chromium, robots: robots)
            let site = list.sites[0].name
            XCTAssertEqual(site, "openweb/www.recipes.test")
            let start = try await pool.startURL(site: site, instance: 0, episode: 0)
            let environment = try await pool.environment(instance: 0)
            let home = try await environment.reset(startURL: start)
            XCTAssertNil(home.error, home.text)
            XCTAssertTrue(home.text.contains("Cookie consent"), "the banner is page content the agent can deal with")

            // robots.txt: the group naming this crawler applies (members), and so does its /private rule.
            for path in ["/private/secret", "/members"] {
                let refused = try await environment.step(.goto(url: "http://www.recipes.test:\(port)\(path)"))
                XCTAssertTrue(refused.error?.contains("robots.txt") ?? false, "\(path): \(refused.error ?? "no error")")
            }
            // Another host is refused before any request.
            let away = try await environment.step(.goto(url: "http://other.test:\(port)/ads"))
            XCTAssertTrue(away.error?.contains("outside the sites") ?? false, away.error ?? "no error")
            // The www. twin is the same site.
            let twin = try await environment.step(.goto(url: "http://recipes.test:\(port)/recipes/1"))
            XCTAssertNil(twin.error, twin.text)
            let lasagna = try await environment.step(.goto(url: "http://www.recipes.test:\(port)/recipes/1"))
            XCTAssertTrue(lasagna.text.contains("Vegetarian Lasagna"), lasagna.text)
            // A link opening a new tab: the tab opens on the site.
            _ = try await environment.step(.goto(url: "http://www.recipes.test:\(port)/"))
            let base = try XCTUnwrap((environment as? PoliteEnvironment)?.base as? ChromiumEnvironment)
            let links = await base.elementIDs(role: "link", name: "Soup (new tab)")
            let newTabLink = try XCTUnwrap(links.first)
            let afterPopup = try await environment.step(.click(id: newTabLink))
            XCTAssertEqual(afterPopup.tabs.count, 2, afterPopup.text)
            // The page budget (4 loads of this host) runs out: the action is then not executed.
            var spent: Observation?
            for n in 3...4 {
                let o = try await environment.step(.goto(url: "http://www.recipes.test:\(port)/recipes/\(n)"))
                if o.error?.contains("page budget") ?? false { spent = o; break }
            }
            XCTAssertNotNil(spent, "the budget was never spent")
            let loads = await pool.budget.loads["www.recipes.test"]
            XCTAssertEqual(loads, 4)
            await base.close()

            let entries = log.all
            XCTAssertFalse(entries.contains { $0.path.hasPrefix("/private") || $0.path.hasPrefix("/members") }, "refused pages were never requested")
            XCTAssertFalse(entries.contains { $0.path == "/recipes/4" } && entries.contains { $0.path == "/recipes/3" } && spent != nil
                           && (spent?.url.hasSuffix("/recipes/4") ?? false), "no load once the budget is spent")
            XCTAssertTrue(entries.contains { $0.host.hasPrefix("cdn.test") && $0.path == "/logo.png" }, "a page's image loads from its CDN")
            XCTAssertFalse(entries.contains { $0.host.hasPrefix("other.test") }, "the other host was never contacted: \(entries.filter { $0.host.hasPrefix("other.test") }.map { "\($0.path) \($0.agent)" })")
            let documents = entries.filter { $0.path == "/" || $0.path.hasPrefix("/recipes") }
            XCTAssertTrue(documents.allSatisfy { $0.agent == Self.agent }, documents.map(\.agent).description)
            // Page loads on one host keep the interval (0.4 s; a little less between arrivals, as a load may
            // start a moment after its turn).
            let wwwLoads = documents.filter { $0.host.hasPrefix("www.recipes.test") }.map(\.time)
            XCTAssertGreaterThanOrEqual(wwwLoads.count, 4)
            for (a, b) in zip(wwwLoads, wwwLoads.dropFirst()) {
                XCTAssertGreaterThanOrEqual(b - a, .milliseconds(300), "two loads on one host came too close")
            }
        }
    }

    /// `explore --urls` end to end with the canned model: a crawl of the live-site copy uses the
    /// open-web prompt, and its walk over the page's links never reaches a refused page or host.
    func testAnOpenWebCrawlUsesTheOpenWebPromptAndStaysOnItsSite() async throws {
        try TestRequirements.chromium()
        let log = Log()
        try await LoopbackHTTPServer.with(router: router(log), label: "open-web-crawl") { port in
            var configuration = ChromiumBrowser.Configuration()
            configuration.extraArguments += ["--host-resolver-rules=MAP *.test 127.0.0.1"]
            let robots = RobotsPolicy(userAgent: Self.agent) { _ in (200, "User-agent: *\nDisallow: /private\nDisallow: /members\n") }
            let list = try OpenWebStartList(parsing: "http://www.recipes.test:\(port)/")
            let chromium = try await ChromiumBrowser.launch(configuration)
            defer { chromium.close() }
            let pool = OpenWebPool(startList: list, politeness: OpenWebPoliteness(userAgent: Self.agent, perHostInterval: 0.05),
                                   instances: 1, browser: chromium, robots: robots)
            let prompts = try PromptLibrary()
            let model = CannedChatModel(prompts: prompts)
            var config = ExplorationConfig()
            config.maxActions = 6
            let crawler = Crawler(model: model, prompts: prompts, config: config, store: try CrawlStore(), environments: pool,
                                  sites: list.sites.map(\.name), episodes: 1)
            let summary = try await crawler.run()
            XCTAssertEqual(summary.completed, 1, "\(summary)")
            let policyPrompts = model.requests.compactMap(\.messages.first?.content).filter { $0.contains("simulate a task") }
            XCTAssertFalse(policyPrompts.isEmpty)
            XCTAssertTrue(policyPrompts.allSatisfy { $0.contains("never buy, book, pay, post") }, "every policy call used the open-web prompt")
            XCTAssertGreaterThanOrEqual(model.callCounts["policy"] ?? 0, 3)
            let entries = log.all
            XCTAssertTrue(entries.contains { $0.path == "/recipes/1" || $0.path == "/recipes/2" }, "the walk followed the site's links")
            XCTAssertFalse(entries.contains { $0.path.hasPrefix("/private") || $0.path.hasPrefix("/members") || $0.host.hasPrefix("other.test") })
        }
    }

    func testTheOpenWebPromptAndPerSitePersonas() throws {
        let prompts = try PromptLibrary()
        let openWeb = prompts.explorationPolicy(site: "openweb/www.allrecipes.com")
        XCTAssertNotEqual(openWeb.system, prompts.explorationPolicy.system)
        XCTAssertTrue(openWeb.system.contains("never buy, book, pay, post"), openWeb.system)
        XCTAssertEqual(prompts.explorationPolicy(site: "shop").system, prompts.explorationPolicy.system)
        XCTAssertEqual(try prompts.personas(for: "openweb/www.allrecipes.com").first?.name, "Weeknight Cook")
        XCTAssertEqual(try prompts.personas(for: "openweb/www.example.org").first?.name, "Curious Student")
        XCTAssertThrowsError(try OpenWebStartList(parsing: "https://a.example/\nftp://b.example/\n", file: "urls.txt")) { error in
            XCTAssertTrue("\(error)".contains("urls.txt:2"), "\(error)")
        }
        XCTAssertThrowsError(try OpenWebStartList(parsing: "https://a.example/\nhttps://A.example/x\n")) { error in
            XCTAssertTrue("\(error)".contains("appears twice"), "\(error)")
        }
    }
}
