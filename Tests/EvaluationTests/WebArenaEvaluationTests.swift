import ChromiumBrowser
import Foundation
import HTTPServer
import LanguageModels
import Pipeline
import WebTasks
import XCTest
@testable import Evaluation
import TestSupport

/// `eval --sites webarena` end to end on a loopback imitation of the forum: a task in WebArena's
/// format signs in with the site map's flow, the policy stops with an answer, and WebArena's
/// evaluators (an LM judge for `fuzzy_match`, a JavaScript locator for `program_html`) score it.
final class WebArenaEvaluationTests: XCTestCase {
    static func page(_ body: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                 body: .init(string: "<!doctype html><html><head><title>Postmill</title></head><body>\(body)</body></html>"))
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("login") { _, _ in
            Self.page("""
                <form method="post" action="/login"><label for="u">Username</label><input id="u" name="_username">
                <label for="p">Password</label><input id="p" type="password" name="_password"><button>Log in</button></form>
                """)
        }
        router.post("login") { request, _ -> Response in
            let body = String(decoding: try request.body(upTo: 1 << 16), as: UTF8.self)
            guard body.contains("_username=MarvelsGrantMan136"), body.contains("_password=test1234") else {
                return Response(status: .seeOther, headers: [.location: "/login"])
            }
            return Response(status: .seeOther, headers: [.location: "/", .setCookie: "PHPSESSID=signed-in; Path=/"])
        }
        router.get("/") { _, _ in Self.page("<h1>Forums</h1><a href=\"/f/books/1/reading-aloud\">Reading aloud</a>") }
        router.get("user/:name/account") { request, _ -> Response in
            guard (request.headers[.cookie] ?? "").contains("PHPSESSID=signed-in") else { return Response(status: .seeOther, headers: [.location: "/login"]) }
            return Self.page("<button>Delete account</button>")
        }
        // The signed-in user has upvoted post 1, not post 2.
        router.get("f/books/:id/:slug") { request, context -> Response in
            let signedIn = (request.headers[.cookie] ?? "").contains("PHPSESSID=signed-in")
            let upvoted = signedIn && context.parameters.get("id") == "1"
            return Self.page("<h1>Adults reading to each other out loud</h1><div class=\"submission__vote\"><form class=\"vote\(upvoted ? " vote--user-upvoted" : "")\"><button>Upvote</button></form></div>")
        }
        return router
    }

    func task(_ id: Int, post: Int, base: String) throws -> TaskConfig {
        try JSONDecoder().decode(TaskConfig.self, from: Data("""
            {"sites": ["reddit"], "task_id": \(id), "require_login": true, "storage_state": "./.auth/reddit_state.json",
             "start_url": "__REDDIT__", "geolocation": null, "intent_template": "Upvote the post about {{topic}}", "instantiation_dict": {},
             "intent": "Upvote the post about reading aloud and tell me its title", "require_reset": false, "intent_template_id": 1,
             "eval": {"eval_types": ["string_match", "program_html"],
                      "reference_answers": {"fuzzy_match": ["Adults reading to each other out loud"]},
                      "reference_url": "", "string_note": "",
                      "program_html": [{"url": "__REDDIT__/f/books/\(post)/reading-aloud",
                                        "locator": "document.querySelector('div.submission__vote').querySelector('form').getAttribute('class')",
                                        "required_contents": {"must_include": ["vote vote--user-upvoted"]}}]}}
            """.utf8)).substituting(["__REDDIT__": base])
    }

    func testAWebArenaTaskSignsInRunsThePolicyAndIsScoredByItsEvaluators() async throws {
        try TestRequirements.chromium()
        let chromium = try await ChromiumBrowser.launch()
        defer { chromium.close() }
        try await LoopbackHTTPServer.with(router: router(), label: "webarena-eval") { port in
            let base = "http://127.0.0.1:\(port)"
            // The policy stops at once with a paraphrase; the judge accepts it (a fuzzy match the tokens alone would not).
            let model = CannedChatModel(identifier: "canned:webarena-policy-and-judge")
            model.reply = { request in
                let user = request.messages.last?.content ?? ""
                if user.hasPrefix("Help a teacher to grade") { return user.contains("student answer: The title is about grown-ups reading aloud") ? "correct" : "incorrect" }
                return "The post is open. In summary, the next action I will perform is ```stop [The title is about grown-ups reading aloud]```"
            }
            let agent = PolicyAgent(model: model, prompt: StudentPrompt(template: try PromptLibrary().studentPolicy, maxSequenceTokens: 100_000),
                                    constrainedFallback: false)
            let evaluation = WebArenaEvaluation(agent: agent, siteMap: try WebArenaSiteMap.load(WebArenaSiteMap.defaultFile()),
                                                deployment: WebArenaDeployment(baseURLs: [.reddit: base]),
                                                evaluator: try WebArenaJudge(model: model).evaluator(), maxSteps: 3)
            let episodes = try await evaluation.run([try task(1, post: 1, base: base), try task(2, post: 2, base: base)], progress: false, browser: chromium)
            XCTAssertEqual(episodes.count, 2)
            let done = try XCTUnwrap(episodes.first { $0.taskID == 1 })
            XCTAssertTrue(done.succeeded, "\(done.result)")
            XCTAssertEqual(done.result.checks.map(\.kind), ["string_match", "program_html"])
            XCTAssertTrue(done.result.checks[0].reason.contains("(judge)"), done.result.checks[0].reason)
            let notDone = try XCTUnwrap(episodes.first { $0.taskID == 2 })
            XCTAssertFalse(notDone.succeeded, "post 2 was never upvoted")
            XCTAssertEqual(notDone.result.checks.filter { !$0.passed }.map(\.kind), ["program_html"])
            let policyPrompts = model.requests.filter { !($0.messages.last?.content.hasPrefix("Help a teacher") ?? false) }
            XCTAssertTrue(policyPrompts.allSatisfy { !($0.messages.last?.content.contains(base) ?? true) && ($0.messages.last?.content.contains("http://reddit.com") ?? false) },
                          "the policy sees WebArena's canonical URL")
        }
    }
}
