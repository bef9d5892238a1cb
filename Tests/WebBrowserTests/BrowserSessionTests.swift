import XCTest
import HTTPTransport
@testable import WebBrowser

/// The browser against a real HTTP server on loopback.
final class BrowserSessionTests: XCTestCase {
    func session(_ site: LoopbackSite, _ configure: (inout BrowserConfiguration) -> Void = { _ in }) async -> BrowserSession {
        let port = await site.port
        var configuration = BrowserConfiguration(allowedURLPrefixes: ["127.0.0.1:\(port)"], viewportLines: 0, timeout: 5)
        configure(&configuration)
        return BrowserSession(configuration: configuration)
    }

    func id(_ session: BrowserSession, _ role: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        try XCTUnwrap(session.accessibilityTree.find(role: role, name: name), "no \(role) '\(name)'", file: file, line: line).id
    }

    func testLoadsPageAndRendersWebArenaText() async throws {
        try await LoopbackSite.with { site in
            let browser = await session(site)
            let obs = try await browser.reset(startURL: await site.baseURL + "/")
            XCTAssertNil(obs.error)
            XCTAssertEqual(obs.status, 200)
            XCTAssertTrue(obs.text.hasPrefix("Tab 0 (current): Loopback Shop\n\n[1] RootWebArea 'Loopback Shop' focused: True\n"), obs.text)
            XCTAssertTrue(obs.text.contains("\tlink 'My Account'") || obs.text.contains("] link 'My Account'"))
            XCTAssertTrue(obs.text.contains("] textbox 'Search' required: False"), obs.text)
            XCTAssertTrue(obs.text.contains("] checkbox 'Remember me' required: False checked: false"), obs.text)
            // Hidden inputs never show.
            XCTAssertFalse(obs.text.contains("tok123"))
        }
    }

    func testClickLinkFollowsRelativeURLAndFragmentThenBackAndForward() async throws {
        try await LoopbackSite.with { site in
            let browser = await session(site)
            let base = await site.baseURL
            _ = try await browser.reset(startURL: base + "/")
            let next = try id(browser, "link", "Next page")
            XCTAssertEqual(browser.describe(.click(id: next)), "click [\(next)] where [\(next)] is link 'Next page'")
            let obs = try await browser.step(.click(id: next))
            XCTAssertEqual(obs.url, base + "/products?page=2#top")
            XCTAssertEqual(obs.title, "Products page 2")
            let back = try await browser.step(.goBack)
            XCTAssertEqual(back.title, "Loopback Shop")
            let forward = try await browser.step(.goForward)
            XCTAssertEqual(forward.title, "Products page 2")
            let beyond = try await browser.step(.goForward)
            XCTAssertNotNil(beyond.error)
        }
    }

    func testGetFormSubmissionWithTypeEnterAndSelectOption() async throws {
        try await LoopbackSite.with { site in
            let browser = await session(site)
            _ = try await browser.reset(startURL: await site.baseURL + "/")
            let sort = try XCTUnwrap(browser.accessibilityTree.find(role: "combobox", name: "")).id
            let selected = try await browser.step(.selectOption(id: sort, value: "price"))
            XCTAssertNil(selected.error)
            XCTAssertTrue(selected.text.contains("option 'Price' selected: True"), selected.text)
            let wrong = try await browser.step(.selectOption(id: sort, value: "Colour"))
            XCTAssertTrue(wrong.error?.contains("'Relevance', 'Price'") ?? false, wrong.error ?? "")

            let search = try id(browser, "textbox", "Search")
            let before = browser.accessibilityTree.nodes.map(\.id)
            let typed = try await browser.step(.type(id: search, text: "red hat", pressEnter: false))
            XCTAssertTrue(typed.text.contains("StaticText 'red hat'"), typed.text)
            XCTAssertTrue(typed.text.contains("textbox 'Search' focused: True"), typed.text)
            // Typing changes values, never ids.
            XCTAssertEqual(Set(before).subtracting(browser.accessibilityTree.nodes.map(\.id)), [])

            let results = try await browser.step(.press(keys: "Enter"))
            XCTAssertEqual(results.title, "Search")
            XCTAssertTrue(results.text.contains("heading 'Results for red"), results.text)
            let lastRequest = await site.received.last
            let request = try XCTUnwrap(lastRequest)
            XCTAssertEqual(request.path, "/search")
            XCTAssertEqual(request.query, "q=red+hat&sort=price")
        }
    }

    func testPostLoginSetsCookieFollowsSeeOtherAndKeepsSession() async throws {
        try await LoopbackSite.with { site in
            let browser = await session(site)
            let base = await site.baseURL
            _ = try await browser.reset(startURL: base + "/")
            _ = try await browser.step(.type(id: try id(browser, "textbox", "Email"), text: "emma@example.com", pressEnter: false))
            _ = try await browser.step(.type(id: try id(browser, "textbox", "Password"), text: "s3cret pass", pressEnter: false))
            let checked = try await browser.step(.click(id: try id(browser, "checkbox", "Remember me")))
            XCTAssertTrue(checked.text.contains("checkbox 'Remember me' focused: True required: False checked: true"), checked.text)
            let account = try await browser.step(.click(id: try id(browser, "button", "Sign in")))
            XCTAssertEqual(account.url, base + "/account")
            XCTAssertTrue(account.text.contains("Welcome back"), account.text)
            let received = await site.received
            let post = try XCTUnwrap(received.first { $0.method == "POST" })
            XCTAssertEqual(post.contentType, "application/x-www-form-urlencoded")
            XCTAssertEqual(post.body, "email=emma%40example.com&password=s3cret+pass&remember=on&csrf=tok123&action=login")
            XCTAssertEqual(received.last?.method, "GET", "303 after POST must become GET")
            XCTAssertTrue(browser.cookies.contains { $0.contains("session") && $0.contains("abc123") })

            // The cookie persists for later navigation, and a reset forgets it.
            let again = try await browser.step(.goto(url: "/account"))
            XCTAssertTrue(again.text.contains("Welcome back"))
            let fresh = try await browser.reset(startURL: base + "/account")
            XCTAssertTrue(fresh.text.contains("Please sign in"), fresh.text)
        }
    }

    func testMultipartPostWithRadioAndTextarea() async throws {
        try await LoopbackSite.with { site in
            let browser = await session(site)
            _ = try await browser.reset(startURL: await site.baseURL + "/")
            _ = try await browser.step(.type(id: try id(browser, "textbox", "Title"), text: "Hello", pressEnter: false))
            let radio = try await browser.step(.click(id: try id(browser, "radio", "Kind B")))
            XCTAssertTrue(radio.text.contains("radio 'Kind B' focused: True required: False checked: true"), radio.text)
            XCTAssertTrue(radio.text.contains("radio 'Kind A' required: False checked: false"), radio.text)
            let done = try await browser.step(.click(id: try id(browser, "button", "Upload")))
            XCTAssertEqual(done.title, "Uploaded")
            let uploads = await site.received.filter { $0.path == "/upload" }
            let post = try XCTUnwrap(uploads.first)
            XCTAssertTrue(post.contentType?.hasPrefix("multipart/form-data; boundary=") ?? false)
            XCTAssertTrue(post.body.contains("name=\"title\"\r\n\r\nHello\r\n"), post.body)
            XCTAssertTrue(post.body.contains("name=\"body\"\r\n\r\nLine one\r\n"), post.body)
            XCTAssertTrue(post.body.contains("name=\"kind\"\r\n\r\nb\r\n"), post.body)
            XCTAssertFalse(post.body.contains("\r\n\r\na\r\n"))
        }
    }

    func testRedirectsAndRefusedHostsAreNeverFetched() async throws {
        try await LoopbackSite.with { site in
            let browser = await session(site)
            let base = await site.baseURL
            _ = try await browser.reset(startURL: base + "/")
            let redirected = try await browser.step(.click(id: try id(browser, "link", "Old account link")))
            XCTAssertEqual(redirected.url, base + "/account")
            XCTAssertEqual(redirected.title, "Sign in")

            _ = try await browser.step(.goBack)
            let refused = try await browser.step(.click(id: try id(browser, "link", "Blocked site")))
            XCTAssertTrue(refused.error?.contains("outside the sites") ?? false, refused.error ?? "")
            XCTAssertEqual(refused.title, "Loopback Shop", "a refused navigation leaves the page in place")
            let offsite = try await browser.step(.click(id: try id(browser, "link", "Partner site")))
            XCTAssertTrue(offsite.error?.contains("blocked.example") ?? false, offsite.error ?? "")
            let loop = try await browser.step(.goto(url: base + "/redirect-loop"))
            XCTAssertTrue(loop.error?.contains("Too many redirects") ?? false, loop.error ?? "")
            let file = try await browser.step(.goto(url: "file:///etc/passwd"))
            XCTAssertTrue(file.error?.contains("file URLs are not allowed") ?? false, file.error ?? "")
            // Only our own server was asked for anything (the refused hop was never requested).
            let paths = await site.received.map(\.path)
            XCTAssertFalse(paths.contains("/landing"))
        }
    }

    func testErrorStatusesStillRenderWithErrorField() async throws {
        try await LoopbackSite.with { site in
            let browser = await session(site)
            let base = await site.baseURL
            let missing = try await browser.reset(startURL: base + "/missing")
            XCTAssertEqual(missing.status, 404)
            XCTAssertEqual(missing.error, "HTTP 404 Not Found for \(base)/missing")
            XCTAssertTrue(missing.text.contains("404: no such page"))
            let crashed = try await browser.step(.goto(url: base + "/error"))
            XCTAssertEqual(crashed.status, 500)
            XCTAssertTrue(crashed.text.contains("Internal error"))
            XCTAssertTrue(crashed.error?.hasPrefix("HTTP 500") ?? false)
        }
    }

    func testTimeoutSizeLimitAndDeadServerAreErrorObservations() async throws {
        try await LoopbackSite.with { site in
            let browser = await session(site) { $0.timeout = 0.5; $0.maxBodyBytes = 100_000 }
            let base = await site.baseURL
            _ = try await browser.reset(startURL: base + "/")
            let slow = try await browser.step(.goto(url: base + "/slow"))
            XCTAssertTrue(slow.error?.contains("timed out") ?? false, slow.error ?? "")
            XCTAssertEqual(slow.title, "Loopback Shop")
            let big = try await browser.step(.goto(url: base + "/big"))
            XCTAssertTrue(big.error?.contains("limit") ?? false, big.error ?? "")
        }
        let dead = BrowserSession(configuration: .init(timeout: 2))
        let obs = try await dead.reset(startURL: "http://127.0.0.1:9/")
        XCTAssertTrue(obs.error?.contains("could not connect") ?? false, obs.error ?? "")
    }

    func testGzipPlainTextAndBrokenMarkup() async throws {
        try await LoopbackSite.with { site in
            let browser = await session(site)
            let base = await site.baseURL
            let zipped = try await browser.reset(startURL: base + "/gzip")
            XCTAssertEqual(zipped.title, "Zipped")
            XCTAssertTrue(zipped.text.contains("StaticText 'Compressed page body'"), zipped.text)
            let plain = try await browser.step(.goto(url: base + "/plain"))
            XCTAssertTrue(plain.text.contains("StaticText 'just <text>'"), plain.text)
            let broken = try await browser.step(.goto(url: base + "/broken"))
            XCTAssertEqual(broken.title, "Broken")
            for text in ["one", "two", "cell"] { XCTAssertTrue(broken.text.contains("'\(text)'"), broken.text) }
            XCTAssertNotNil(browser.accessibilityTree.find(role: "link", name: "link"))
        }
    }

    func testTabsAndInvalidActions() async throws {
        try await LoopbackSite.with { site in
            let browser = await session(site)
            let base = await site.baseURL
            _ = try await browser.reset(startURL: base + "/")
            let opened = try await browser.step(.click(id: try id(browser, "link", "Account in new tab")))
            XCTAssertEqual(opened.tabs.count, 2)
            XCTAssertEqual(opened.activeTab, 1)
            XCTAssertTrue(opened.text.hasPrefix("Tab 0: Loopback Shop | Tab 1 (current): Sign in\n\n"), opened.text)
            let first = try await browser.step(.tabFocus(index: 0))
            XCTAssertEqual(first.title, "Loopback Shop")
            let bad = try await browser.step(.tabFocus(index: 7))
            XCTAssertNotNil(bad.error)
            let blank = try await browser.step(.newTab)
            XCTAssertEqual(blank.tabs.count, 3)
            let closed = try await browser.step(.closeTab)
            XCTAssertEqual(closed.tabs.count, 2)
            XCTAssertEqual(closed.activeTab, 1, "closing the last tab focuses the new last tab")
            _ = try await browser.step(.tabFocus(index: 0))

            let missing = try await browser.step(.click(id: 99_999))
            XCTAssertEqual(missing.error, "Attempt to perform \"click\" on element \"[99999]\" but no matching element found. Please check the observation more carefully.")
            let garbage = try await browser.step(ActionParser.parse(response: "I will fly to the moon"))
            XCTAssertTrue(garbage.error?.contains("format was incorrect") ?? false)
            let notField = try await browser.step(.type(id: try id(browser, "link", "My Account"), text: "x", pressEnter: false))
            XCTAssertTrue(notField.error?.contains("not a text field") ?? false, notField.error ?? "")
            let stop = try await browser.step(.stop(answer: "done"))
            XCTAssertNil(stop.error)
        }
    }

    func testScrollPagesThroughLongTrees() async throws {
        try await LoopbackSite.with { site in
            let browser = await session(site) { $0.viewportLines = 5 }
            let first = try await browser.reset(startURL: await site.baseURL + "/")
            XCTAssertGreaterThan(first.viewportCount, 2)
            XCTAssertEqual(first.text.split(separator: "\n", omittingEmptySubsequences: false).count, 2 + 1 + 5)
            let down = try await browser.step(.scroll(.down))
            XCTAssertEqual(down.viewportIndex, 1)
            XCTAssertNotEqual(down.text, first.text)
            XCTAssertTrue(down.text.contains("[1] RootWebArea"), "the root line stays on top")
            let up = try await browser.step(.scroll(.up))
            XCTAssertEqual(up.text, first.text)
            let top = try await browser.step(.scroll(.up))
            XCTAssertEqual(top.viewportIndex, 0)
        }
    }
}
