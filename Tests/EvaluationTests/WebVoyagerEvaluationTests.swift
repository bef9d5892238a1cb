import ChromiumBrowser
import Environments
import Foundation
import HTTPServer
import LanguageModels
import Pipeline
import WebBrowser
import XCTest
@testable import Evaluation
import TestSupport

/// `eval --webvoyager` end to end offline: Chromium maps `www.recipes.test` to a loopback copy of
/// a recipe site; the policy answers from the page; the judge double reads the final page and the
/// answer, and its verdict and rationale become the episode's result.
final class WebVoyagerEvaluationTests: XCTestCase {
    func router() -> Router<BasicRequestContext> {
        let router = Router()
        let page: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let body = request.uri.path == "/robots.txt" ? "User-agent: *\nDisallow: /private\n"
                : "<!doctype html><html><head><title>Recipes</title></head><body><h1>Vegetarian Lasagna</h1><p>312 reviews</p></body></html>"
            return Response(status: .ok, headers: [.contentType: request.uri.path == "/robots.txt" ? "text/plain" : "text/html"],
                            body: .init(string: body))
        }
        router.get("/", use: page)
        router.get("**", use: page)
        return router
    }

    func testTheJudgeDecidesFromTheFinalPageAndTheAnswerAndGivesItsRationale() async throws {
        try TestRequirements.chromium()
        try await LoopbackHTTPServer.with(router: router(), label: "webvoyager") { port in
            var configuration = ChromiumBrowser.Configuration()
            configuration.extraArguments += ["--host-resolver-rules=MAP *.test 127.0.0.1"]
            let chromium = try await ChromiumBrowser.launch(configuration)
            defer { chromium.close() }
            let model = CannedChatModel(identifier: "canned:webvoyager-policy-and-judge")
            model.reply = { request in
                let user = request.messages.last?.content ?? ""
                if user.hasPrefix("TASK: ") {
                    if user.contains("Vegetarian Lasagna") && user.contains("AGENT'S ANSWER: Vegetarian Lasagna, 312 reviews") {
                        return "The final page shows the recipe and its 312 reviews, as the answer says.\n**Verdict: SUCCESS**"
                    }
                    return user.contains("AGENT'S ANSWER: (the agent gave no answer)") ? "No answer was given.\nVerdict: NOT SUCCESS" : "I am unsure."
                }
                if user.contains("most reviewed") { return "In summary, the next action I will perform is ```stop [Vegetarian Lasagna, 312 reviews]```" }
                if user.contains("cheapest") { return "In summary, the next action I will perform is ```stop [Lasagna]```" }
                return "In summary, the next action I will perform is ```scroll [down]```"
            }
            let agent = PolicyAgent(model: model, prompt: StudentPrompt(template: try PromptLibrary().studentPolicy, maxSequenceTokens: 100_000),
                                    constrainedFallback: false)
            let robots = RobotsPolicy(userAgent: "test") { _ in (200, "User-agent: *\nDisallow: /private\n") }
            let evaluation = WebVoyagerEvaluation(agent: agent, judge: try WebVoyagerJudge(model: model), maxSteps: 2,
                                                  politeness: OpenWebPoliteness(userAgent: "test", perHostInterval: 0))
            let web = "http://www.recipes.test:\(port)/"
            let tasks = [WebVoyagerTask(id: "Recipes--0", webName: "Recipes", web: web, ques: "Find the most reviewed vegetarian recipe."),
                         WebVoyagerTask(id: "Recipes--1", webName: "Recipes", web: web, ques: "Find the cheapest recipe."),
                         WebVoyagerTask(id: "Recipes--2", webName: "Recipes", web: web, ques: "Read the reviews."),
                         WebVoyagerTask(id: "Recipes--3", webName: "Recipes", web: "http://www.recipes.test:\(port)/private/x", ques: "Read the reviews.")]
            let episodes = try await evaluation.run(tasks, progress: false, browser: chromium, robots: robots)
            let byIntent = Dictionary(episodes.map { ($0.finalURL + "|" + $0.intent, $0) }, uniquingKeysWith: { a, _ in a })
            XCTAssertEqual(episodes.count, 4)
            let success = try XCTUnwrap(byIntent[web + "|Find the most reviewed vegetarian recipe."])
            XCTAssertTrue(success.succeeded, "\(success.result)")
            XCTAssertEqual(success.result.checks.first?.reason, "The final page shows the recipe and its 312 reviews, as the answer says.")
            let unsure = try XCTUnwrap(byIntent[web + "|Find the cheapest recipe."])
            XCTAssertFalse(unsure.succeeded)
            XCTAssertTrue(unsure.result.checks.first?.reason.contains("neither SUCCESS nor NOT SUCCESS") ?? false, "\(unsure.result)")
            let noAnswer = try XCTUnwrap(episodes.first { $0.intent == "Read the reviews." && $0.failure != .setup })
            XCTAssertFalse(noAnswer.succeeded)
            XCTAssertEqual(noAnswer.result.checks.first?.reason, "No answer was given.")
            let refused = try XCTUnwrap(episodes.first { $0.failure == .setup })
            XCTAssertTrue(refused.result.checks.first?.reason.contains("robots.txt") ?? false, "\(refused.result)")
        }
    }
}
