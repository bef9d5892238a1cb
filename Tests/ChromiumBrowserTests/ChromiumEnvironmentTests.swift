import XCTest
import WebBrowser
@testable import ChromiumBrowser
import TestSupport

final class ChromiumEnvironmentTests: XCTestCase {
    static let formPage = """
    <!doctype html><html><head><title>Shop form</title></head><body>
    <h1>Welcome</h1>
    <nav><a href="second.html">Next page</a> <a href="second.html" target="_blank">Open in new tab</a></nav>
    <form onsubmit="event.preventDefault(); document.getElementById('out').textContent = 'Searched ' + document.getElementById('q').value;">
      <label for="q">Search</label><input id="q" type="text">
      <select id="color" aria-label="Color"><option value="r">Red</option><option value="b">Blue</option></select>
      <button type="submit">Go</button>
    </form>
    <p id="out">Nothing yet</p>
    <button onclick="const b = document.createElement('button'); b.textContent = 'Added'; document.body.prepend(b);">Add a button</button>
    <script>document.getElementById('out').insertAdjacentHTML('afterend', '<p>Made by script</p>');</script>
    </body></html>
    """

    func makeEnvironment() async throws -> ChromiumEnvironment {
        _ = try Fixtures.url("second.html", "<!doctype html><title>Second</title><h2>The second page</h2>")
        return try await SharedChromium.shared.browser().makeEnvironment()
    }

    func testAnAllowlistRefusesPagesOutsideItWhicheverWayTheyAreReached() async throws {
        let page = try Fixtures.url("allowlist.html", """
            <!doctype html><title>Home</title><a href="http://blocked.invalid/page">Away</a>
            <button onclick="location.href='http://blocked.invalid/script'">Script away</button>
            """)
        let browser = try await SharedChromium.shared.browser()
        let env = browser.makeEnvironment(allowlist: URLAllowlist(prefixes: ["http://127.0.0.1:1"], allowFileURLs: true))
        defer { Task { await env.close() } }
        let home = try await env.reset(startURL: page)
        XCTAssertNil(home.error)

        let viaGoto = try await env.step(.goto(url: "http://blocked.invalid/goto"))
        XCTAssertTrue(viaGoto.error?.contains("outside the sites") == true, "\(viaGoto.error ?? "no error")")
        XCTAssertEqual(viaGoto.url, page)

        let viaLink = try await env.step(.click(id: try id(of: "link 'Away'", in: home.text)))
        XCTAssertTrue(viaLink.error?.contains("http://blocked.invalid/page") == true, "\(viaLink.error ?? "no error")")
        XCTAssertEqual(viaLink.url, page, "the agent stays on its page")
        XCTAssertTrue(viaLink.text.contains("button 'Script away'"), viaLink.text)

        let viaScript = try await env.step(.click(id: try id(of: "button 'Script away'", in: viaLink.text)))
        XCTAssertTrue(viaScript.error?.contains("http://blocked.invalid/script") == true, "\(viaScript.error ?? "no error")")
        XCTAssertEqual(viaScript.url, page)

        let refusedStart = try await env.reset(startURL: "http://blocked.invalid/")
        XCTAssertTrue(refusedStart.error?.contains("outside the sites") == true, "\(refusedStart.error ?? "no error")")
    }

    func id(of line: String, in text: String) throws -> Int {
        let row = try XCTUnwrap(text.split(separator: "\n").first { $0.contains(line) }, "no line with \(line) in\n\(text)")
        let open = try XCTUnwrap(row.firstIndex(of: "["))
        let close = try XCTUnwrap(row.firstIndex(of: "]"))
        return try XCTUnwrap(Int(row[row.index(after: open)..<close]))
    }

    func testObservationShowsScriptContentInWebArenaFormat() async throws {
        let env = try await makeEnvironment()
        defer { Task { await env.close() } }
        let obs = try await env.reset(startURL: try Fixtures.url("form.html", Self.formPage))
        XCTAssertTrue(obs.text.hasPrefix("Tab 0 (current): Shop form\n\n"), obs.text)
        XCTAssertTrue(obs.text.contains("RootWebArea 'Shop form'"), obs.text)
        XCTAssertTrue(obs.text.contains("\theading 'Welcome'") || obs.text.contains("] heading 'Welcome'"), obs.text)
        XCTAssertTrue(obs.text.contains("link 'Next page'"), obs.text)
        XCTAssertTrue(obs.text.contains("textbox 'Search'"), obs.text)
        XCTAssertTrue(obs.text.contains("StaticText 'Made by script'"), "JavaScript output must be visible:\n\(obs.text)")
        XCTAssertEqual(obs.title, "Shop form")
        XCTAssertNil(obs.error)
    }

    func testIdsPersistAcrossObservationsWhenThePageChanges() async throws {
        let env = try await makeEnvironment()
        defer { Task { await env.close() } }
        let first = try await env.reset(startURL: try Fixtures.url("form.html", Self.formPage))
        let link = try id(of: "link 'Next page'", in: first.text)
        let add = try id(of: "button 'Add a button'", in: first.text)
        let second = try await env.step(.click(id: add))
        XCTAssertTrue(second.text.contains("button 'Added'"), second.text)
        XCTAssertEqual(try id(of: "link 'Next page'", in: second.text), link)
        XCTAssertEqual(try id(of: "button 'Add a button'", in: second.text), add)
        let added = try id(of: "button 'Added'", in: second.text)
        XCTAssertFalse(first.text.contains("[\(added)]"), "a new element must get a new id")
        XCTAssertEqual(env.describe(.click(id: link)), "click [\(link)] where [\(link)] is link 'Next page'")
    }

    func testTypeSelectAndSubmit() async throws {
        let env = try await makeEnvironment()
        defer { Task { await env.close() } }
        let obs = try await env.reset(startURL: try Fixtures.url("form.html", Self.formPage))
        let box = try id(of: "textbox 'Search'", in: obs.text)
        let typed = try await env.step(.type(id: box, text: "red shoes", pressEnter: true))
        XCTAssertTrue(typed.text.contains("Searched red shoes"), typed.text)
        let combo = try id(of: "combobox 'Color'", in: typed.text)
        let selected = try await env.step(.selectOption(id: combo, value: "Blue"))
        XCTAssertNil(selected.error)
        let value = try await env.evaluate("document.getElementById('color').value")
        XCTAssertEqual(value.string, "b")
        let wrong = try await env.step(.selectOption(id: combo, value: "Green"))
        XCTAssertTrue(wrong.error?.contains("no option") ?? false, "\(String(describing: wrong.error))")
    }

    func testNavigationHistoryAndMissingElement() async throws {
        let env = try await makeEnvironment()
        defer { Task { await env.close() } }
        let obs = try await env.reset(startURL: try Fixtures.url("form.html", Self.formPage))
        let next = try await env.step(.click(id: try id(of: "link 'Next page'", in: obs.text)))
        XCTAssertEqual(next.title, "Second")
        XCTAssertTrue(next.text.contains("heading 'The second page'"), next.text)
        let back = try await env.step(.goBack)
        XCTAssertEqual(back.title, "Shop form")
        let forward = try await env.step(.goForward)
        XCTAssertEqual(forward.title, "Second")
        let missing = try await env.step(.click(id: 987_654))
        XCTAssertTrue(missing.error?.contains("no matching element found") ?? false)
        let invalid = try await env.step(ActionParser.parse(action: "fly [3]"))
        XCTAssertNotNil(invalid.error)
    }

    func testARefusedGotoIsAnErrorAndTheNextStepDoesNotWaitForALoad() async throws {
        let env = try await makeEnvironment()
        defer { Task { await env.close() } }
        _ = try await env.reset(startURL: try Fixtures.url("form.html", Self.formPage))
        let started = Date()
        let refused = try await env.step(.goto(url: "not a url"))
        XCTAssertNotNil(refused.error, "Chromium refuses to navigate to an invalid URL")
        let next = try await env.step(.scroll(.down))
        XCTAssertNil(next.error)
        XCTAssertEqual(next.title, "Shop form")
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "no step may wait out the navigation timeout")
    }

    func testTabsOpenedByThePageAndByActions() async throws {
        let env = try await makeEnvironment()
        defer { Task { await env.close() } }
        let obs = try await env.reset(startURL: try Fixtures.url("form.html", Self.formPage))
        let opened = try await env.step(.click(id: try id(of: "link 'Open in new tab'", in: obs.text)))
        XCTAssertEqual(opened.tabs.count, 2, opened.text)
        XCTAssertEqual(opened.activeTab, 1)
        XCTAssertTrue(opened.text.hasPrefix("Tab 0: Shop form | Tab 1 (current): Second"), opened.text)
        let focused = try await env.step(.tabFocus(index: 0))
        XCTAssertEqual(focused.title, "Shop form")
        let blank = try await env.step(.newTab)
        XCTAssertEqual(blank.tabs.count, 3)
        let closed = try await env.step(.closeTab)
        XCTAssertEqual(closed.tabs.count, 2)
    }

    func testScrollMovesTheViewportWindow() async throws {
        let rows = (1...120).map { "<p>Row number \($0)</p>" }.joined()
        let env = try await makeEnvironment()
        defer { Task { await env.close() } }
        let top = try await env.reset(startURL: try Fixtures.url("long.html", "<title>Long</title>\(rows)"))
        XCTAssertGreaterThan(top.viewportCount, 1)
        XCTAssertTrue(top.text.contains("'Row number 1'"))
        XCTAssertFalse(top.text.contains("'Row number 120'"))
        let down = try await env.step(.scroll(.down))
        XCTAssertEqual(down.viewportIndex, 1)
        XCTAssertFalse(down.text.contains("'Row number 1'"), down.text)
    }

    func testFramesAreMergedAndActionable() async throws {
        let env = try await makeEnvironment()
        defer { Task { await env.close() } }
        let page = try Fixtures.url("frames.html", """
        <title>Framed</title><h1>Outer</h1>
        <iframe srcdoc="<button onclick=&quot;this.textContent='Pressed'&quot;>Inner button</button>"></iframe>
        <p style="display:none">Hidden text</p><a href="#below">Jump</a>
        """)
        let obs = try await env.reset(startURL: page)
        XCTAssertTrue(obs.text.contains("heading 'Outer'"), obs.text)
        XCTAssertFalse(obs.text.contains("Hidden text"), obs.text)
        let clicked = try await env.step(.click(id: try id(of: "button 'Inner button'", in: obs.text)))
        XCTAssertTrue(clicked.text.contains("button 'Pressed'"), "a frame's element is acted on:\n\(clicked.text)")
        let jumped = try await env.step(.goto(url: page + "#below"))
        XCTAssertNil(jumped.error)
        XCTAssertTrue(jumped.url.hasSuffix("#below"))
    }

    func testHungPageTimesOutAndTheNextEpisodeStillWorks() async throws {
        var configuration = ChromiumBrowser.Configuration()
        configuration.commandTimeout = 1.5
        configuration.navigationTimeout = 1.5
        configuration.stepTimeout = 2.5
        try TestRequirements.chromium()
        let browser = try await ChromiumBrowser.launch(configuration)
        defer { browser.close() }
        let env = browser.makeEnvironment()
        let page = try Fixtures.url("hang.html", "<title>Hang</title><button onclick='while(true){}'>Freeze</button>")
        let obs = try await env.reset(startURL: page)
        let started = Date()
        do {
            _ = try await env.step(.click(id: try id(of: "button 'Freeze'", in: obs.text)))
            XCTFail("a frozen page must not produce an observation")
        } catch let error as ChromiumError {
            guard case .timeout = error else { return XCTFail("expected a timeout, got \(error)") }
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
        let again = try await env.reset(startURL: try Fixtures.url("second.html", "<!doctype html><title>Second</title><h2>The second page</h2>"))
        XCTAssertEqual(again.title, "Second")
    }
}

final class ChromiumPoolTests: XCTestCase {
    /// Parallel episodes get separate contexts: storage written in one is not seen by the other.
    func testParallelEpisodesAreIsolated() async throws {
        try TestRequirements.chromium()
        let pool = ChromiumPool(size: 2)
        // localStorage is per browser context, also for file:// pages.
        let storagePage = try Fixtures.url("storage.html", """
        <title>Storage</title><p id="p"></p>
        <script>const before = localStorage.getItem('k'); localStorage.setItem('k', 'v');
        document.getElementById('p').textContent = before ? 'seen before' : 'first visit';</script>
        """)
        let texts = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<2 {
                group.addTask {
                    try await pool.withEnvironment { env in
                        let first = try await env.reset(startURL: storagePage)
                        let again = try await env.step(.goto(url: storagePage))
                        return [first.text, again.text]
                    }
                }
            }
            var all: [[String]] = []
            for try await texts in group { all.append(texts) }
            return all
        }
        await pool.shutdown()
        XCTAssertEqual(texts.count, 2)
        for pair in texts {
            XCTAssertTrue(pair[0].contains("first visit"), pair[0])
            XCTAssertTrue(pair[1].contains("seen before"), pair[1])
        }
    }
}
