import Foundation
import LanguageModels
import WebBrowser
import WebTasks
import XCTest
@testable import Evaluation
import TestSupport

/// WebArena's shipped task file (`datasets/webarena/test.raw.json`) loads with its placeholders
/// resolved from WebArena's environment variables, and its evaluators' known bugs stay fixed.
final class WebArenaTaskFileTests: XCTestCase {
    static let environment = [
        "SHOPPING": "http://wa.test:7770", "SHOPPING_ADMIN": "http://wa.test:7780/admin", "REDDIT": "http://wa.test:9999",
        "GITLAB": "http://wa.test:8023", "WIKIPEDIA": "http://wa.test:8888", "MAP": "http://wa.test:3000", "HOMEPAGE": "http://wa.test:4399",
    ]

    func testAll812ShippedConfigsLoadWithEveryPlaceholderResolved() throws {
        let deployment = try WebArenaDeployment.fromEnvironment(Self.environment)
        XCTAssertEqual(deployment.baseURLs.count, 7)
        let tasks = try WebArenaTaskFile.load(WebArenaTaskFile.defaultFile(), deployment: deployment)
        XCTAssertEqual(tasks.count, 812)
        XCTAssertEqual(Set(tasks.map(\.taskID)), Set(0..<812))
        let encoded = String(decoding: try JSONEncoder().encode(tasks), as: UTF8.self)
        for site in WebArenaSite.allCases { XCTAssertFalse(encoded.contains(site.placeholder), "\(site.placeholder) left unresolved") }
        XCTAssertTrue(tasks.allSatisfy { $0.startURL.hasPrefix("http://wa.test:") }, "every start URL is on the deployment")
        // The evaluator mix as WebArena ships it.
        let count = { (type: EvalSpec.EvalType) in tasks.filter { $0.eval.evalTypes.contains(type) }.count }
        XCTAssertEqual(count(.stringMatch), 335)
        XCTAssertEqual(count(.urlMatch), 205)
        XCTAssertEqual(count(.programHTML), 411)
        XCTAssertEqual(tasks.flatMap { $0.eval.programHTML ?? [] }.count, 651)
        XCTAssertEqual(tasks.flatMap { $0.eval.programHTML ?? [] }.filter { $0.prepActions != nil }.count, 10)
        XCTAssertEqual(tasks.filter { if case .notAchievable = $0.eval.referenceAnswers?.fuzzyMatch { true } else { false } }.count, 36)
        // Required contents naming a site are resolved too.
        let task684 = try XCTUnwrap(tasks.first { $0.taskID == 684 })
        XCTAssertTrue(task684.eval.programHTML?[0].requiredContents.mustInclude?.contains("http://wa.test:8023/byteblaze/cloud-to-butt") ?? false)
    }

    func testAMissingVariableIsNamedWithTheTasksThatNeedIt() throws {
        var environment = Self.environment
        environment["GITLAB"] = nil
        let deployment = try WebArenaDeployment.fromEnvironment(environment)
        XCTAssertThrowsError(try WebArenaTaskFile.load(WebArenaTaskFile.defaultFile(), deployment: deployment)) { error in
            guard case WebArenaError.missingVariable(let variable, let placeholder, let ids) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(variable, "GITLAB")
            XCTAssertEqual(placeholder, "__GITLAB__")
            XCTAssertEqual(ids.count, 204, "every task whose URLs, answers or page checks name __GITLAB__")
            XCTAssertTrue("\(error)".contains("GITLAB is not set"), "\(error)")
        }
        // Selecting the sites that are deployed needs only their variables.
        let shopping = try WebArenaTaskFile.load(WebArenaTaskFile.defaultFile(),
                                                 deployment: WebArenaDeployment(baseURLs: [.shopping: "http://wa.test:7770"]), sites: [.shopping])
        XCTAssertEqual(shopping.count, 187)
        XCTAssertThrowsError(try WebArenaDeployment.fromEnvironment(["MAP": "localhost:3000"])) { error in
            XCTAssertTrue("\(error)".contains("MAP='localhost:3000'"), "\(error)")
        }
    }

    func testEveryHelperTheConfigsNameParses() throws {
        let raw = try WebArenaTaskFile.loadRaw(WebArenaTaskFile.defaultFile())
        let calls = raw.flatMap { $0.eval.programHTML ?? [] }.flatMap { [$0.url, $0.locator] }.filter { $0.hasPrefix("func:") }
        XCTAssertEqual(calls.count, 65 + 10 + 12 + 5 + 5)
        for call in calls { XCTAssertNoThrow(try WebArenaHelperCall(call, lastURL: "http://h/f/pics/1/x"), call) }
        XCTAssertEqual(try WebArenaHelperCall("func:gitlab_get_project_memeber_role(__page__, 'yjlou')"), .gitlabProjectMemberRole(account: "yjlou"))
        XCTAssertThrowsError(try WebArenaHelperCall("func:os.system('rm -rf /')"))
        XCTAssertEqual(WebArenaHelperCall.redditPostURL("http://h:9999/f/pics/123/a-title/comment/9"), "http://h:9999/f/pics/123/")
        XCTAssertEqual(WebArenaHelperCall.redditPostURL("http://h/forum/f/pics/123"), "http://h/forum/f/pics/123/")
        XCTAssertEqual(WebArenaHelperCall.redditPostURL("http://h/f/pics"), "http://h/f/pics")
        XCTAssertEqual(WebArenaHelperCall.redditPostURL("http://h/user/x/y/z"), "http://h/user/x/y/z")
    }

    func testURLMatchNoLongerAcceptsALongerPath() {
        let match = URLMatch()
        let reference = "http://wa.test:7780/admin/reports/report_product/viewed"
        XCTAssertTrue(match.evaluate(finalURL: reference + "/", reference: reference, note: "GOLD in PRED").passed)
        XCTAssertFalse(match.evaluate(finalURL: reference + "asdf", reference: reference, note: "GOLD in PRED").passed,
                       "web-arena-x/webarena#77: a substring of the path is not the page")
        XCTAssertTrue(match.evaluate(finalURL: "http://wa.test:9999/search?q=a&sort=new", reference: "http://wa.test:9999/search?q=a", note: nil).passed)
        XCTAssertFalse(match.evaluate(finalURL: "http://wa.test:9999/search?q=b", reference: "http://wa.test:9999/search?q=a", note: nil).passed)
    }

    func testTheNativeBrowserRefusesJavaScriptLocatorsWithAReason() async throws {
        let check = ProgramHTMLCheck(url: "last", locator: "document.querySelector('h1').outerText",
                                     requiredContents: .init(exactMatch: "x"))
        let session = BrowserSession()
        let results = await PageContentCheck().evaluate(check, browser: session)
        XCTAssertEqual(results.count, 1)
        XCTAssertFalse(results[0].passed)
        XCTAssertTrue(results[0].reason.contains("runs no JavaScript"), results[0].reason)
    }

    // MARK: - the language-model judges

    func judge(_ verdict: @escaping @Sendable (String) -> String) throws -> (WebArenaJudge, CannedChatModel) {
        let model = CannedChatModel(identifier: "canned:webarena-judge")
        model.reply = { request in verdict(request.messages.last?.content ?? "") }
        return (try WebArenaJudge(model: model), model)
    }

    func testFuzzyMatchAsksTheJudgeWithWebArenasPromptAndReadsItsVerdict() async throws {
        let reference = ReferenceAnswers(fuzzyMatch: .answers(["the order was cancelled because of a payment failure"]))
        for (answer, expected) in [("Conclusion: correct", true), ("The answer is incorrect.", false),
                                   ("It is partially correct", false)] {
            let (judge, model) = try judge { _ in answer }
            let results = await judge.evaluator().stringMatch.evaluate(answer: "payment issue", reference: reference, intent: "Why was order 12 cancelled?")
            XCTAssertEqual(results.map(\.passed), [expected], "\(answer): \(results)")
            let prompt = try XCTUnwrap(model.requests.first?.messages.last?.content)
            XCTAssertTrue(prompt.hasPrefix("Help a teacher to grade the answer of a student"), prompt)
            XCTAssertTrue(prompt.contains("question: Why was order 12 cancelled?\nreference answer: the order was cancelled"), prompt)
            XCTAssertTrue(prompt.contains("student answer: payment issue"), prompt)
            XCTAssertEqual(model.requests.first?.options.temperature, 0)
        }
        // An answer naming no verdict fails the check with the judge's words, instead of crashing (WebArena asserted).
        let (unsure, _) = try judge { _ in "I cannot tell." }
        let results = await unsure.evaluator().stringMatch.evaluate(answer: "payment issue", reference: reference, intent: "Why?")
        XCTAssertEqual(results.map(\.passed), [false])
        XCTAssertTrue(results[0].reason.contains("names no verdict") && results[0].reason.contains("I cannot tell."), results[0].reason)
    }

    func testUnachievableTasksAskTheReasonJudgeOnlyWhenTheAnswerIsNotNA() async throws {
        let reference = ReferenceAnswers(fuzzyMatch: .notAchievable)
        let (judge, model) = try judge { prompt in prompt.contains("no such product") ? "same" : "different" }
        let evaluator = judge.evaluator().stringMatch
        let literal = await evaluator.evaluate(answer: "N/A", reference: reference, intent: "Buy the blue unicorn", stringNote: "the shop sells no unicorns")
        XCTAssertEqual(literal.map(\.passed), [true])
        XCTAssertEqual(model.requests.count, 0, "a literal N/A needs no judge")
        let same = await evaluator.evaluate(answer: "There is no such product in the shop", reference: reference,
                                            intent: "Buy the blue unicorn", stringNote: "the shop sells no unicorns")
        XCTAssertEqual(same.map(\.passed), [true])
        let prompt = try XCTUnwrap(model.requests.last?.messages.last?.content)
        XCTAssertTrue(prompt.contains("actual unachievable reason: the shop sells no unicorns"), prompt)
        let different = await evaluator.evaluate(answer: "The site was too slow", reference: reference,
                                                 intent: "Buy the blue unicorn", stringNote: "the shop sells no unicorns")
        XCTAssertEqual(different.map(\.passed), [false])
    }

    // MARK: - WebVoyager

    func testWebVoyagerVerdictsParseAndUnreadableOnesAreErrors() throws {
        let success = try WebVoyagerJudge.parse("The page lists three recipes over 4.5 stars.\nVerdict: SUCCESS")
        XCTAssertTrue(success.success)
        XCTAssertEqual(success.rationale, "The page lists three recipes over 4.5 stars.")
        XCTAssertFalse(try WebVoyagerJudge.parse("The answer names the wrong price.\n\n**NOT SUCCESS**").success)
        XCTAssertFalse(try WebVoyagerJudge.parse("Verdict: NOT   SUCCESS.").success)
        // A judge that weighs both options first: the last one named is the verdict.
        let weighed = try WebVoyagerJudge.parse("Is it SUCCESS or NOT SUCCESS? The cart is empty, so: NOT SUCCESS")
        XCTAssertFalse(weighed.success)
        XCTAssertTrue(try WebVoyagerJudge.parse("Not everything is shown, but the answer is right. SUCCESS").success,
                      "\"not\" in the reasoning does not negate a later verdict")
        for unreadable in ["", "The task looks done.", "UNSUCCESSFUL", "successfully done"] {
            XCTAssertThrowsError(try WebVoyagerJudge.parse(unreadable), unreadable) { error in
                XCTAssertTrue("\(error)".contains("neither SUCCESS nor NOT SUCCESS"), "\(error)")
            }
        }
    }

    func testWebVoyagerTasksLoadAndTheJudgeReportsItsRationale() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-webvoyager-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("tasks.jsonl")
        try """
            {"web_name": "Allrecipes", "id": "Allrecipes--0", "ques": "Find a vegetarian lasagna recipe with more than 100 reviews.", "web": "https://www.allrecipes.com/"}

            {"web": "https://arxiv.org/", "ques": "How many articles were submitted in cs.CL today?"}
            """.write(to: file, atomically: true, encoding: .utf8)
        let tasks = try WebVoyagerTask.load(file)
        XCTAssertEqual(tasks.map(\.id), ["Allrecipes--0", "line-3"])
        XCTAssertEqual(tasks[1].host, "arxiv.org")

        let bad = dir.appendingPathComponent("bad.jsonl")
        try "{\"web\": \"https://a.example/\", \"ques\": \"q\"}\n{\"web\": \"https://b.example/\"}\n".write(to: bad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try WebVoyagerTask.load(bad)) { error in
            XCTAssertTrue("\(error)".contains("bad.jsonl:2") && "\(error)".contains("ques"), "\(error)")
        }

        let model = CannedChatModel(identifier: "canned:webvoyager-judge")
        model.reply = { request in
            let user = request.messages.last?.content ?? ""
            return user.contains("Vegetarian Lasagna (312 reviews)") && user.contains("AGENT'S ANSWER: Vegetarian Lasagna")
                ? "The final page shows the recipe with 312 reviews and the answer names it.\nVerdict: SUCCESS"
                : "The page does not show such a recipe.\nVerdict: NOT SUCCESS"
        }
        let judge = try WebVoyagerJudge(model: model)
        let verdict = try await judge.judge(task: tasks[0], finalURL: "https://www.allrecipes.com/recipe/1",
                                            finalObservation: "[1] heading 'Vegetarian Lasagna (312 reviews)'", answer: "Vegetarian Lasagna")
        XCTAssertTrue(verdict.success)
        XCTAssertEqual(verdict.rationale, "The final page shows the recipe with 312 reviews and the answer names it.")
        XCTAssertTrue(model.requests[0].messages[0].content.contains("Verdict: NOT SUCCESS"), "the system prompt names both verdicts")
        let failed = try await judge.judge(task: tasks[0], finalURL: "https://www.allrecipes.com/", finalObservation: "[1] heading 'Home'", answer: "")
        XCTAssertFalse(failed.success)
        XCTAssertTrue(model.requests[1].messages[1].content.contains("(the agent gave no answer)"))
    }
}
