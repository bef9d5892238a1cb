import XCTest
import WebBrowser
@testable import ChromiumBrowser
import TestSupport

final class MiniWoBEnvironmentTests: XCTestCase {
    func makeEnvironment() async throws -> MiniWoBEnvironment {
        let browser = try await SharedChromium.shared.browser()
        return MiniWoBEnvironment(browser: browser, pages: try TestRequirements.miniWoBPages())
    }

    func id(of line: String, in text: String) throws -> Int {
        let row = try XCTUnwrap(text.split(separator: "\n").first { $0.contains(line) }, "no line with \(line) in\n\(text)")
        let open = try XCTUnwrap(row.firstIndex(of: "["))
        let close = try XCTUnwrap(row.firstIndex(of: "]"))
        return try XCTUnwrap(Int(row[row.index(after: open)..<close]))
    }

    func testTaskListCoversNNetnavsSixteenTasksAndTheirPagesExist() throws {
        let set = try MiniWoBTaskSet.load()
        XCTAssertEqual(set.nnetnavTasks.count, 16)
        XCTAssertEqual(set.evaluationSeeds.seeds.first, 42)
        XCTAssertEqual(set.evaluationSeeds.seeds.count, 20)
        let pages = try MiniWoBPages.cached() ?? TestRequirements.miniWoBPages()
        for task in set.tasks { XCTAssertNoThrow(try pages.page(for: task.name), task.name) }
        XCTAssertThrowsError(try pages.page(for: "../core/core"))
    }

    func testTaskSelectionByKeywordOrName() throws {
        let set = try MiniWoBTaskSet.load()
        XCTAssertEqual(try set.tasks(selectedBy: "nnetnav"), set.nnetnavTasks)
        XCTAssertEqual(try set.tasks(selectedBy: "all"), set.tasks)
        XCTAssertEqual(try set.tasks(selectedBy: "login-user, click-button").map(\.name), ["login-user", "click-button"])
        XCTAssertThrowsError(try set.tasks(selectedBy: "login-user,no-such-task")) { error in
            XCTAssertTrue("\(error)".contains("'no-such-task' is not in the MiniWoB++ task list"), "\(error)")
        }
        XCTAssertThrowsError(try set.tasks(selectedBy: ","))
        XCTAssertGreaterThan(set.explorationFirstSeed, set.evaluationSeeds.seeds.last!, "exploration never loads an evaluation page")
    }

    func testStartURLParsing() {
        XCTAssertEqual(MiniWoBEnvironment.parseStartURL("miniwob://login-user?seed=42")?.task, "login-user")
        XCTAssertEqual(MiniWoBEnvironment.parseStartURL("miniwob://login-user?seed=42")?.seed, 42)
        XCTAssertEqual(MiniWoBEnvironment.parseStartURL("click-button")?.seed, 0)
        XCTAssertNil(MiniWoBEnvironment.parseStartURL("miniwob://../etc"))
        XCTAssertNil(MiniWoBEnvironment.parseStartURL("miniwob://x?seed=abc"))
    }

    /// Solves login-user from its utterance through the action grammar and reads MiniWoB's reward.
    func testLoginUserEpisodeEarnsTheRewardAndAWrongPasswordDoesNot() async throws {
        let env = try await makeEnvironment()
        defer { Task { await env.close() } }
        for (seed, correct) in [(42, true), (43, false)] {
            let obs = try await env.reset(startURL: MiniWoBEnvironment.startURL(task: "login-user", seed: seed))
            let quoted = env.utterance.split(separator: "\"", omittingEmptySubsequences: false)
            XCTAssertEqual(quoted.count, 5, env.utterance)
            let (user, password) = (String(quoted[1]), String(quoted[3]))
            XCTAssertTrue(obs.text.contains(user), "the instruction is on the page:\n\(obs.text)")
            XCTAssertEqual(obs.url, "miniwob://login-user?seed=\(seed)", "no machine-specific path in observations")
            XCTAssertFalse(env.isDone)
            XCTAssertNil(env.pageTaskResult)

            let boxes = obs.text.split(separator: "\n").filter { $0.contains("] textbox") }
            XCTAssertEqual(boxes.count, 2, obs.text)
            let ids = try boxes.map { try id(of: String($0), in: obs.text) }
            _ = try await env.step(.type(id: ids[0], text: user, pressEnter: false))
            let typed = try await env.step(.type(id: ids[1], text: correct ? password : password + "x", pressEnter: false))
            let final = try await env.step(.click(id: try id(of: "button 'Login'", in: typed.text)))
            XCTAssertNil(final.error)
            XCTAssertEqual(final.url, "miniwob://login-user?seed=\(seed)")
            XCTAssertTrue(env.isDone, "login ends the episode")
            XCTAssertEqual(env.reward, correct ? 1 : 0, "\(env.outcome)")
            XCTAssertEqual(env.pageTaskResult?.reward, env.outcome.rawReward, "the explorer sees the ended task")
        }
    }

    func testSameSeedGivesTheSameTask() async throws {
        let env = try await makeEnvironment()
        defer { Task { await env.close() } }
        _ = try await env.reset(startURL: "miniwob://login-user?seed=7")
        let first = env.utterance
        _ = try await env.reset(startURL: "miniwob://login-user?seed=7")
        XCTAssertEqual(env.utterance, first)
        _ = try await env.reset(startURL: "miniwob://login-user?seed=8")
        XCTAssertNotEqual(env.utterance, first)
    }
}
