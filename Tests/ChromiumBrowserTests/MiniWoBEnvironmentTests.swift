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

/// Elements only a script makes clickable are marked (`ScriptClickable`) where the environment asks for it.
final class ScriptClickableTests: XCTestCase {
    static let page = """
        <!doctype html><title>Listeners</title>
        <div id="area">
          <div onclick="this.textContent = 'Row one opened'">Row one</div>
          <div id="two">Row two</div>
          <span id="cell" style="display:inline-block;width:20px;height:20px"></span>
          <button>Plain button</button> <a href="#top">A link</a>
          <p>A paragraph nobody listens to, long enough that no name is taken from it for the area around it.</p>
          <ul><li id="folder"><span id="folder-name">Folder</span><ul><li id="leaf">Leaf</li></ul></li></ul>
        </div>
        <script>
          document.getElementById('two').addEventListener('click', e => { e.currentTarget.textContent = 'Row two opened' });
          document.getElementById('cell').addEventListener('mousedown', () => {});
          document.getElementById('area').addEventListener('click', () => {});
          for (const id of ['folder', 'folder-name', 'leaf']) document.getElementById(id).addEventListener('click', () => {});
        </script>
        """

    func lines(_ text: String) -> [Substring] { text.split(separator: "\n") }

    func testListenerElementsAreMarkedNamedAndClickableOnlyWhenAsked() async throws {
        let url = try Fixtures.url("script-clickable.html", Self.page)
        let browser = try await SharedChromium.shared.browser()
        let marking = browser.makeEnvironment(marksScriptClickables: true)
        defer { Task { await marking.close() } }
        let obs = try await marking.reset(startURL: url)
        let marked = lines(obs.text).filter { ScriptClickable.isMarked($0) }
        XCTAssertEqual(marked.count, 5, obs.text)
        XCTAssertTrue(marked.contains { $0.hasSuffix("generic 'Row one' clickable: True") }, obs.text)
        XCTAssertTrue(marked.contains { $0.hasSuffix("generic 'Row two' clickable: True") }, obs.text)
        XCTAssertTrue(marked.contains { $0.hasSuffix("generic '' clickable: True") }, "the empty cell:\n\(obs.text)")
        // A tree folder is named by its own label, not by its sub-folders; its item holds only those, so it is no target.
        XCTAssertTrue(marked.contains { $0.hasSuffix("generic 'Folder' clickable: True") }, obs.text)
        XCTAssertTrue(marked.contains { $0.hasSuffix("listitem 'Leaf' clickable: True") }, obs.text)
        XCTAssertFalse(obs.text.contains("Folder Leaf"), obs.text)
        // Natively interactive elements need no mark; the area's own listener serves what is inside it.
        XCTAssertFalse(lines(obs.text).contains { ($0.contains("button 'Plain button'") || $0.contains("link 'A link'")) && ScriptClickable.isMarked($0) })

        // The candidates a policy is offered include them, and a click reaches the listener.
        let two = try XCTUnwrap(CandidateLine.id(marked.first { $0.contains("Row two") }))
        let after = try await marking.step(.click(id: two))
        XCTAssertTrue(after.text.contains("Row two opened"), after.text)

        let plain = browser.makeEnvironment()
        defer { Task { await plain.close() } }
        let unmarked = try await plain.reset(startURL: url)
        XCTAssertFalse(unmarked.text.contains("clickable"), "off by default, as WebArena's format:\n\(unmarked.text)")
        XCTAssertTrue(unmarked.text.contains("StaticText 'Row one'"), unmarked.text)
    }

    /// MiniWoB++ environments mark them: an inbox row is named by its sender and subject, and opening it
    /// shows the script-driven Reply control.
    func testMiniWoBInboxRowsAndReplyAreClickable() async throws {
        let browser = try await SharedChromium.shared.browser()
        let env = MiniWoBEnvironment(browser: browser, pages: try TestRequirements.miniWoBPages())
        defer { Task { await env.close() } }
        let inbox = try await env.reset(startURL: MiniWoBEnvironment.startURL(task: "email-inbox", seed: 1000))
        let rows = lines(inbox.text).filter { ScriptClickable.isMarked($0) && $0.contains("generic '") && !$0.contains("generic ''") }
        XCTAssertGreaterThanOrEqual(rows.count, 3, inbox.text)
        let opened = try await env.step(.click(id: try XCTUnwrap(CandidateLine.id(rows.first))))
        XCTAssertTrue(lines(opened.text).contains { $0.hasSuffix("generic 'Reply' clickable: True") }, opened.text)
    }
}

/// The `[id]` of an observation line.
enum CandidateLine {
    static func id(_ line: Substring?) -> Int? {
        guard let line, let open = line.firstIndex(of: "["), let close = line.firstIndex(of: "]") else { return nil }
        return Int(line[line.index(after: open)..<close])
    }
}
