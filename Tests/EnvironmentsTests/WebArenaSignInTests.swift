import ChromiumBrowser
import Pipeline
import Foundation
import HTTPServer
import WebBrowser
import WebTasks
import XCTest
@testable import Environments
import TestSupport

/// Sign-in from the site map's declared flow, in Chromium, with the session reused by the next
/// browser context through its cookies; and the reset hooks.
final class WebArenaSignInTests: XCTestCase {
    /// A forum imitating Postmill's sign-in: `/login` form, a session cookie, an account page
    /// that sends signed-out visitors to `/login`.
    final class Forum: @unchecked Sendable {
        private let lock = NSLock()
        private var _posts = 0
        private var _resets = 0
        var posts: Int { lock.withLock { _posts } }
        var resets: Int { lock.withLock { _resets } }
        func posted() { lock.withLock { _posts += 1 } }
        func reset() { lock.withLock { _resets += 1 } }
    }

    static func page(_ body: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                 body: .init(string: "<!doctype html><html><head><title>Forum</title></head><body>\(body)</body></html>"))
    }

    func router(_ forum: Forum) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("login") { _, _ in
            Self.page("""
                <form method="post" action="/login"><label for="u">Username</label><input id="u" name="_username">
                <label for="p">Password</label><input id="p" type="password" name="_password"><button>Log in</button></form>
                """)
        }
        router.post("login") { request, _ -> Response in
            forum.posted()
            let body = String(decoding: try request.body(upTo: 1 << 16), as: UTF8.self)
            guard body.contains("_username=MarvelsGrantMan136"), body.contains("_password=test1234") else {
                return Response(status: .seeOther, headers: [.location: "/login"])
            }
            return Response(status: .seeOther, headers: [.location: "/", .setCookie: "PHPSESSID=signed-in; Path=/; HttpOnly"])
        }
        router.get("/") { _, _ in
            Self.page("<h1>Home</h1><a href=\"/f/books\">Books</a> <a href=\"/user/MarvelsGrantMan136/account\">My account</a>")
        }
        router.get("f/:forum") { _, context in
            Self.page("<h1>Forum \(context.parameters.get("forum") ?? "")</h1><a href=\"/\">Home</a>")
        }
        router.get("user/:name/account") { request, context -> Response in
            guard (request.headers[.cookie] ?? "").contains("PHPSESSID=signed-in") else {
                return Response(status: .seeOther, headers: [.location: "/login"])
            }
            return Self.page("<h1>Account of \(context.parameters.get("name") ?? "")</h1><button>Delete account</button>")
        }
        router.post("reset") { _, _ -> Response in
            forum.reset()
            return Response(status: .noContent)
        }
        router.post("broken-reset") { _, _ in Response(status: .internalServerError) }
        return router
    }

    func siteMap(password: String = "test1234", from file: WebArenaSiteMap) -> WebArenaSiteMap {
        var map = file
        map.sites["reddit"]?.account?.password = password
        return map
    }

    func testTheShippedRedditFlowSignsInOnceAndLaterContextsReuseTheSession() async throws {
        try TestRequirements.chromium()
        let forum = Forum()
        let shipped = try WebArenaSiteMap.load(WebArenaSiteMap.defaultFile())
        XCTAssertEqual(Set(shipped.sites.keys), Set(WebArenaSite.allCases.map(\.rawValue)))
        XCTAssertTrue(WebArenaSite.allCases.filter { shipped.settings($0).login != nil }.count == 4, "the four sites with accounts")
        let chromium = try await ChromiumBrowser.launch()
        defer { chromium.close() }
        try await LoopbackHTTPServer.with(router: router(forum), label: "forum") { port in
            let base = "http://127.0.0.1:\(port)"
            let deployment = WebArenaDeployment(baseURLs: [.reddit: base])
            let source = ChromiumBrowserSource(browser: chromium)
            let signIn = SiteSignIn(siteMap: siteMap(from: shipped), deployment: deployment)

            let first = try await source.makeBrowser(allowedURLPrefixes: [base])
            _ = try await first.reset(startURL: base + "/")
            try await signIn.signIn([.reddit, .map], browser: first)
            let firstURL = await first.currentURL
            XCTAssertEqual(firstURL, base + "/user/MarvelsGrantMan136/account")
            await first.close()

            let second = try await source.makeBrowser(allowedURLPrefixes: [base])
            _ = try await second.reset(startURL: base + "/")
            try await signIn.signIn([.reddit], browser: second)
            let text = try await second.text(.page) ?? ""
            XCTAssertTrue(text.contains("Delete account"), text)
            await second.close()
            let formSignIns = await signIn.formSignIns
            XCTAssertEqual(formSignIns[.reddit], 1, "the second context reused the first one's cookies")
            XCTAssertEqual(forum.posts, 1)

            // A wrong password is an error saying where it ended up, not a silent signed-out episode.
            let wrong = SiteSignIn(siteMap: siteMap(password: "nope", from: shipped), deployment: deployment)
            let third = try await source.makeBrowser(allowedURLPrefixes: [base])
            _ = try await third.reset(startURL: base + "/")
            do {
                try await wrong.signIn(.reddit, browser: third)
                XCTFail("signed in with a wrong password")
            } catch {
                XCTAssertTrue("\(error)".contains("not signed in"), "\(error)")
            }
            await third.close()
        }
    }

    /// `explore --sites webarena` end to end with the canned model: the reset hook runs, the episode
    /// signs in through the declared flow, and prompts name WebArena's canonical URL, never the deployment's.
    func testAWebArenaCrawlResetsSignsInAndUsesCanonicalURLs() async throws {
        try TestRequirements.chromium()
        let forum = Forum()
        var map = try WebArenaSiteMap.load(WebArenaSiteMap.defaultFile())
        let chromium = try await ChromiumBrowser.launch()
        defer { chromium.close() }
        try await LoopbackHTTPServer.with(router: router(forum), label: "forum-crawl") { port in
            let base = "http://127.0.0.1:\(port)"
            map.sites["reddit"]?.reset = ResetHook(url: base + "/reset")
            let pool = WebArenaPool(siteMap: map, deployment: WebArenaDeployment(baseURLs: [.reddit: base]), instances: 1, browser: chromium)
            XCTAssertEqual(pool.sites, ["reddit"])
            let prompts = try PromptLibrary()
            let model = CannedChatModel(prompts: prompts)
            var config = ExplorationConfig()
            config.maxActions = 4
            let crawler = Crawler(model: model, prompts: prompts, config: config, store: try CrawlStore(), environments: pool,
                                  sites: pool.sites, episodes: 1)
            let summary = try await crawler.run()
            XCTAssertEqual(summary.completed, 1, "\(summary)")
            XCTAssertEqual(forum.resets, 1, "the site map's reset hook ran before the episode")
            XCTAssertEqual(forum.posts, 1, "the episode signed in through the form")
            let sent = model.requests.flatMap(\.messages).map(\.content)
            XCTAssertTrue(sent.contains { $0.contains("URL: http://reddit.com/") }, "the policy sees WebArena's canonical URL")
            XCTAssertFalse(sent.contains { $0.contains(base) }, "the deployment's address never reaches a prompt")
        }
    }

    func testResetHooksRunCommandsAndCallEndpoints() async throws {
        let forum = Forum()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-reset-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let marker = dir.appendingPathComponent("reset-ran")
        try await ResetHook(command: "echo reset > '\(marker.path)'").run()
        XCTAssertEqual(try String(contentsOf: marker, encoding: .utf8), "reset\n")
        do {
            try await ResetHook(command: "echo the container is gone >&2; exit 3").run()
            XCTFail("a failing command passed")
        } catch {
            XCTAssertTrue("\(error)".contains("status 3") && "\(error)".contains("the container is gone"), "\(error)")
        }
        do {
            try await ResetHook(command: "sleep 5", timeout: 0.3).run()
            XCTFail("a hung command passed")
        } catch {
            XCTAssertTrue("\(error)".contains("did not finish"), "\(error)")
        }
        try await LoopbackHTTPServer.with(router: router(forum), label: "forum-reset") { port in
            try await ResetHook(url: "http://127.0.0.1:\(port)/reset").run()
            XCTAssertEqual(forum.resets, 1)
            do {
                try await ResetHook(url: "http://127.0.0.1:\(port)/broken-reset").run()
                XCTFail("a 500 passed")
            } catch {
                XCTAssertTrue("\(error)".contains("HTTP 500"), "\(error)")
            }
        }
        do {
            try await ResetHook().run()
            XCTFail("an empty hook passed")
        } catch {
            XCTAssertTrue("\(error)".contains("neither a command nor a url"), "\(error)")
        }
    }
}
