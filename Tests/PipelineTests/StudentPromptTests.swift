import XCTest
import TestSupport
import Evaluation
import LanguageModels
import LlamaModel
import NNetnavSupport
import WebBrowser
@testable import Pipeline

/// One student prompt for export and evaluation (defect 4), budgets that hold on any script
/// (defect 5), and a prompt that asks for the targets' own format (defect 8).
final class StudentPromptTests: XCTestCase {
    let prompts = CrawlFixtures.prompts

    /// Records the prompts a policy is shown; answers with a stop (test double, not a model).
    final class PromptRecordingTestDouble: ChatModel, @unchecked Sendable {
        let identifier = "test-double:prompt-recorder"
        private let lock = NSLock()
        private var seen: [[ChatMessage]] = []
        var prompts: [[ChatMessage]] { lock.withLock { seen } }
        func complete(_ request: ChatRequest) async throws -> ChatResponse {
            lock.withLock { seen.append(request.messages) }
            return ChatResponse(text: PolicyAnswerFormat.answer(action: .stop(answer: "done")))
        }
    }

    static var embeddedModel: URL? {
        let file = ProjectLayout.current.defaultModelFile
        return FileManager.default.fileExists(atPath: file.path) ? file : nil
    }

    /// A page of multi-byte glyphs (CJK, accents, emoji): 3-4 UTF-8 bytes per character.
    static func multiBytePage(lines: Int) -> String {
        (0..<lines).map { "\t[\($0 + 10)] link '商品 №\($0) — café ☕️ 東京 🚀 ünïcödé'" }.joined(separator: "\n")
    }

    static func demonstration(page: String) -> Demonstration {
        let step = { (i: Int) in
            Demonstration.Step(url: "http://shop.nnetnav/p/\(i)", observation: "Tab 0 (current): 店\n\n" + page,
                               action: "click [\(10 + i)]", actionDescription: "click [\(10 + i)] where [\(10 + i)] is link '商品'",
                               stateChange: "The page changed.",
                               rationale: PolicyAnswerFormat.answer(reasoning: "The product page is next.", action: .click(id: 10 + i)),
                               templateRationale: false)
        }
        return Demonstration(episode: 3, site: "shop", persona: "Bargain Hunter: deals", depth: 2,
                             instruction: "Find the price of the café mug", judgeScore: 5, steps: [step(0), step(1)],
                             finalURL: "http://shop.nnetnav/p/2", finalObservation: "Tab 0 (current): 店\n\n" + page,
                             stopAction: "stop [$12]", stopRaw: "", stopParsed: true)
    }

    func studentPrompt() throws -> StudentPrompt {
        let tokens = try Self.embeddedModel.map { try TokenCounter.tokenizer(of: $0) } ?? .utf8Bytes
        return StudentPrompt(template: prompts.studentPolicy, maxSequenceTokens: 1024, maxAnswerTokens: 128, tokens: tokens)
    }

    func testTheEvaluationPromptOfAStepEqualsTheExportedRowsPrompt() async throws {
        let prompt = try studentPrompt()
        let demo = Self.demonstration(page: Self.multiBytePage(lines: 400))
        let rows = DatasetExporter(studentPrompt: prompt).rows(for: demo).compactMap(\.row)
        XCTAssertEqual(rows.count, 3)
        let model = PromptRecordingTestDouble()
        let agent = PolicyAgent(model: model, prompt: prompt)
        for t in 0...demo.steps.count {
            let step = DatasetExporter.studentStep(demo, at: t)
            let observation = Observation(text: step.observation, url: step.url, title: "店",
                                          tabs: [.init(title: "店", url: step.url)], activeTab: 0)
            _ = try await agent.decide(observation: observation, objective: demo.instruction,
                                       previousActions: step.previousActions, canGoBack: t > 0)
            XCTAssertEqual(model.prompts.last, Array(rows[t].messages.prefix(2)), "step \(t)")
        }
        XCTAssertTrue(rows[0].messages[1].content.contains(TextMeasures.truncationMarker))
    }

    func testARowFitsTheStudentsSequenceWithSystemPromptAndTargetWhole() throws {
        guard let file = Self.embeddedModel else { throw XCTSkip("the embedded model's tokenizer is not installed") }
        let tokenizer = try BPETokenizer(gguf: GGUFFile(url: file))
        let prompt = try studentPrompt()
        for page in [Self.multiBytePage(lines: 600), String(repeating: "\t[7] StaticText 'plain ascii text here'\n", count: 500)] {
            let demo = Self.demonstration(page: page)
            for row in DatasetExporter(studentPrompt: prompt).rows(for: demo).compactMap(\.row) {
                let ids = ChatTemplate().encode(row.messages, with: tokenizer).ids
                XCTAssertLessThanOrEqual(ids.count, 1024, "the trainer never has to cut this row")
                XCTAssertGreaterThan(ids.count, 700, "the budget is used, not wasted")
                XCTAssertEqual(row.messages[0].content, prompts.studentPolicy.system, "system prompt whole")
                XCTAssertTrue(PolicyAnswerFormat.conforms(row.messages[2].content))
            }
        }
    }

    /// A long episode's history gives way to the page (oldest actions first) instead of leaving it no
    /// room, which had ended evaluation episodes with "no room for the page" after a few steps; short
    /// histories are rendered whole, as before.
    func testALongHistoryGivesWayToThePage() throws {
        guard let file = Self.embeddedModel else { throw XCTSkip("the embedded model's tokenizer is not installed") }
        let prompt = StudentPrompt(template: prompts.studentPolicy, maxSequenceTokens: 1024, maxAnswerTokens: 128,
                                   tokens: try .tokenizer(of: file))
        let page = String(repeating: "\t[7] StaticText 'plain ascii text here'\n", count: 200)
        let actions = (0..<40).map { "scroll [down] where the page is scrolled to see element number \($0)" }
        let long = StudentPrompt.Step(observation: page, url: "http://shop.nnetnav/", objective: "Find the wok", previousActions: actions)
        let messages = try XCTUnwrap(prompt.messages(for: long), "a long history must not leave the page without room")
        let user = messages[1].content
        XCTAssertTrue(user.contains("earlier actions omitted"), user)
        XCTAssertTrue(user.contains(actions.last!), "the latest action is kept")
        XCTAssertFalse(user.contains(actions[0] + "\n"), "the oldest action gave way")
        XCTAssertTrue(user.contains("41: " + actions.last!), "actions keep their numbers")
        let short = StudentPrompt.Step(observation: page, url: "http://shop.nnetnav/", objective: "Find the wok",
                                       previousActions: Array(actions.prefix(2)))
        let shortUser = try XCTUnwrap(prompt.messages(for: short))[1].content
        XCTAssertTrue(shortUser.contains(StudentPrompt.history(Array(actions.prefix(2)))), "a short history is whole")
    }

    /// At the default 1,024-token row about half of the row is page: NNetnav's long system message had left
    /// ~150 tokens, the top of each site's header, so even an oracle following the scripted solutions
    /// could not see the Search button it had to click.
    func testAtTheDefaultRowSizeThePageGetsHalfTheRow() throws {
        guard let file = Self.embeddedModel else { throw XCTSkip("the embedded model's tokenizer is not installed") }
        let tokens = try TokenCounter.tokenizer(of: file)
        let prompt = StudentPrompt(template: prompts.studentPolicy, maxSequenceTokens: 1024, maxAnswerTokens: 128, tokens: tokens)
        let page = String(repeating: "\t[7] link 'Hearthwell Compact Enamel Saucepan'\n", count: 400)
        let step = StudentPrompt.Step(observation: page, url: "http://shop.nnetnav/", objective: "What does the saucepan cost?",
                                      previousActions: ["click [12] where [12] is link 'Home & Kitchen'"])
        let user = try XCTUnwrap(prompt.messages(for: step))[1].content
        let shown = user.components(separatedBy: "\nURL: ").first!
        XCTAssertGreaterThan(tokens.count(shown), 480, "about half of a 1,024-token row is page (it was ~150 tokens)")
        XCTAssertLessThan(tokens.count(prompts.studentPolicy.system), 300, "the system message stays short")
    }

    /// The browser's windows cut to `viewportBudget` reach the student whole: for a typical objective and
    /// a long history no window of a long page is truncated, and the page still gets most of its share.
    func testAWindowCutToTheViewportBudgetIsShownWhole() throws {
        guard let file = Self.embeddedModel else { throw XCTSkip("the embedded model's tokenizer is not installed") }
        let prompt = StudentPrompt(template: prompts.studentPolicy, maxSequenceTokens: 1024, maxAnswerTokens: 128,
                                   tokens: try TokenCounter.tokenizer(of: file))
        let budget = prompt.viewportBudget
        XCTAssertGreaterThan(budget.limit, 350, "the page's share of a 1,024-token row")
        let tree = RenderedTree(lines: [.init(id: 1, depth: 0, text: "[1] RootWebArea 'One Stop Market'")]
            + (0..<300).map { .init(id: $0 + 2, depth: 1 + $0 % 4, text: "[\($0 + 2)] link 'Hearthwell Compact Enamel Saucepan \($0)'") })
        let header = "Tab 0 (current): One Stop Market"
        let windows = tree.windows(size: 60, budget: budget, reserved: budget.cost(header + "\n\n" + tree.lines[0].text))
        XCTAssertGreaterThan(windows.count, 5)
        let history = (0..<12).map { "click [\(100 + $0)] where [\(100 + $0)] is link 'Hearthwell Compact Enamel Saucepan \($0)'" }
        for window in windows {
            let step = StudentPrompt.Step(observation: header + "\n\n" + tree.text(lines: window),
                                          url: "http://onestopmarket.com/catalogsearch/result/?q=saucepan&p=2",
                                          objective: "Find the cheapest enamel saucepan in Home & Kitchen and tell me its price",
                                          previousActions: history)
            let user = try XCTUnwrap(prompt.messages(for: step))[1].content
            XCTAssertFalse(user.contains(TextMeasures.truncationMarker), "window \(window) was cut")
            XCTAssertTrue(user.contains(tree.lines[window.upperBound - 1].text), "the window's last line is shown")
        }
    }

    func testTruncationHoldsItsBudgetOnMultiByteGlyphs() throws {
        let page = Self.multiBytePage(lines: 300)
        for budget in [100, 300, 1000] {
            let estimated = TextMeasures.truncate(page, maxTokens: budget)
            XCTAssertLessThanOrEqual(TextMeasures.estimatedTokens(estimated), budget)
            let bounded = TextMeasures.truncate(page, maxTokens: budget, counter: .utf8Bytes)
            XCTAssertLessThanOrEqual(bounded.utf8.count, budget)
            XCTAssertTrue(bounded.hasSuffix(TextMeasures.truncationMarker))
        }
        guard let file = Self.embeddedModel else { throw XCTSkip("the embedded model's tokenizer is not installed") }
        let tokenizer = try BPETokenizer(gguf: GGUFFile(url: file))
        let counter = try TokenCounter.tokenizer(of: file)
        for budget in [100, 300, 1000] {
            let cut = TextMeasures.truncate(page, maxTokens: budget, counter: counter)
            let tokens = tokenizer.encode(cut, allowSpecial: false).count
            XCTAssertLessThanOrEqual(tokens, budget)
            XCTAssertGreaterThan(tokens, budget * 3 / 4, "most of the budget is used")
        }
        // The byte bound really bounds the student's tokens.
        XCTAssertLessThanOrEqual(tokenizer.encode(page, allowSpecial: false).count, page.utf8.count)
    }

    func testTheStudentPromptAsksForTheShapeOfItsTargets() throws {
        let system = prompts.studentPolicy.system
        XCTAssertFalse(system.contains("follow the examples"), "there are no examples to follow")
        XCTAssertFalse(system.contains("Start with a \"In summary"), "targets start with their reasoning")
        XCTAssertTrue(system.contains("\"\(PolicyAnswerFormat.opening)\""))
        XCTAssertTrue(system.contains("\"\(PolicyAnswerFormat.actionPhrase)\""))
        // The example answer the prompt quotes has the exact shape of every target.
        let example = try XCTUnwrap(system.components(separatedBy: "For example: \"").last?.components(separatedBy: "```\".").first)
        XCTAssertTrue(PolicyAnswerFormat.conforms(example + "```"), example)
        let demo = Self.demonstration(page: "[1] RootWebArea 'x'")
        XCTAssertTrue(PolicyAnswerFormat.conforms(demo.stopTarget))
        // A model's rationale without the opening is brought into the shape.
        if case .matches(let text) = ModuleOutputParsing.rationale("Output: I need the cart. ```click [4]```", executed: .click(id: 4)) {
            XCTAssertEqual(text, "Let's think step-by-step. I need the cart. In summary, the next action I will perform is ```click [4]```")
        } else { XCTFail("rationale rejected") }
    }
}
