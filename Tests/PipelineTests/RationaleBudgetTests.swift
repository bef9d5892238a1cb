import XCTest
import TestSupport
import LanguageModels
import WebBrowser
@testable import Pipeline

/// Test double: a rationalizer that always names another action, counting its calls.
final class WrongActionTestDoubleModel: ChatModel, @unchecked Sendable {
    let identifier = "scripted:wrong-action-test-double"
    private let lock = NSLock()
    private var count = 0
    var calls: Int { lock.withLock { count } }
    func complete(_ request: ChatRequest) async throws -> ChatResponse {
        lock.withLock { count += 1 }
        return ChatResponse(text: "Output: Let's think step-by-step. In summary, the next action I will perform is ```click [999]```")
    }
}

final class RationaleBudgetTests: XCTestCase {
    func rationalize(_ budget: RationaleBudget, _ model: WrongActionTestDoubleModel, steps: Range<Int>,
                     instruction: String = "Open the kettle page") async throws -> [Rationalization] {
        var config = ExplorationConfig()
        config.rationaleAttempts = 2
        let modules = NNetnavModules(model: model, prompts: CrawlFixtures.prompts, config: config) { _ in }
        var out: [Rationalization] = []
        for step in steps {
            out.append(try await budget.rationalize(with: modules, instruction: instruction, url: "http://shop.test/",
                                                    observation: "o", previousActions: "1: None", action: .click(id: step),
                                                    step: step, seed: 1))
        }
        return out
    }

    func testGivesUpAfterConsecutiveFailuresAndStillEndsInTheExecutedAction() async throws {
        let model = WrongActionTestDoubleModel()
        let budget = RationaleBudget(giveUpAfter: 2)
        let results = try await rationalize(budget, model, steps: 0..<5)
        XCTAssertEqual(model.calls, 4, "2 steps x 2 attempts, then the template without calls")
        XCTAssertEqual(budget.skipped, 3)
        XCTAssertTrue(results.allSatisfy(\.usedTemplate))
        XCTAssertTrue(results[4].text.hasSuffix("```click [4]```"))

        let unlimited = WrongActionTestDoubleModel()
        _ = try await rationalize(RationaleBudget(giveUpAfter: nil), unlimited, steps: 0..<5)
        XCTAssertEqual(unlimited.calls, 10)
    }

    func testSameStepAndInstructionIsRationalizedOnce() async throws {
        let model = WrongActionTestDoubleModel()
        let budget = RationaleBudget(giveUpAfter: nil)
        _ = try await rationalize(budget, model, steps: 0..<1)
        _ = try await rationalize(budget, model, steps: 0..<1)
        XCTAssertEqual(model.calls, 2, "the second prefix reuses the first one's reasoning")
        _ = try await rationalize(budget, model, steps: 0..<1, instruction: "Find the kettle price")
        XCTAssertEqual(model.calls, 4, "another instruction needs its own reasoning")
    }
}

/// Issue 16 item 5 on a test double shaped like the embedded model (rationales never name the action,
/// one junk label): calls and tokens per accepted demonstration with and without the quality gates.
final class CallsPerDemonstrationTests: XCTestCase {
    func testQualityGatesCutCallsPerAcceptedDemonstration() async throws {
        let prompts = CrawlFixtures.prompts
        var figures: [Bool: (calls: Double, usable: Double, rationaleCalls: Int, demos: Int)] = [:]
        for gates in [false, true] {
            let model = ScriptedTestDoubleModel(canned: CannedChatModel(prompts: prompts), prompts: prompts) { depth in
                depth == 8 ? "Thought: hm.\nInstruction: I'm ready to help with your specific details" : nil
            }
            model.rationalesAlwaysWrong = true
            let store = try CrawlStore()
            var config = CrawlFixtures.config { $0.rationaleAttempts = 2 }
            if !gates { config = config.withoutQualityGates() }
            _ = try await CrawlFixtures.crawler(model: model, store: store, pool: StaticSitePool(instances: 1), episodes: 3,
                                                config: config).run()
            let report = try QualityReport(store: store)
            figures[gates] = (report.callsPerDemonstration ?? .infinity, report.callsPerUsableDemonstration ?? .infinity,
                              report.callsByModule["rationalizer"] ?? 0, report.overall.demonstrations)
            if gates {
                XCTAssertEqual(report.overall.instructionFilterPassRate, 1, "no junk instruction is kept")
            } else {
                XCTAssertLessThan(report.overall.instructionFilterPassRate ?? 1, 1, "without the gates the junk label is kept")
            }
        }
        let before = figures[false]!, after = figures[true]!
        print(String(format: "test double: calls per accepted demonstration before %.1f (%d demos), after %.1f (%d demos); "
                     + "per usable demonstration %.1f -> %.1f; rationalizer calls %d -> %d",
                     before.calls, before.demos, after.calls, after.demos, before.usable, after.usable,
                     before.rationaleCalls, after.rationaleCalls))
        XCTAssertLessThan(after.usable, before.usable, "fewer calls per demonstration worth training on")
        XCTAssertLessThan(after.rationaleCalls, before.rationaleCalls)
    }
}
