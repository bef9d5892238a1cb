import ChromiumBrowser
import Foundation
import GRDB
import NNetnavSupport
import Pipeline
import TestSupport
import XCTest
@testable import CrawlViewer
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The viewer over a small store written here: what each page shows, that model- and page-written text
/// is escaped, that requests cannot leave the store, and that the pages render in headless Chromium.
final class CrawlViewerTests: XCTestCase {
    static let hostile = "<script>document.title='pwned'</script><img src=x onerror=alert(1)>"

    /// A small real image standing in for a Chromium screenshot (the viewer serves PNG and JPEG alike).
    static let picture: Data = {
        let (width, height) = (160, 90)
        var rgb: [UInt8] = []
        for y in 0..<height { for x in 0..<width { rgb += [UInt8(x * 255 / width), UInt8(y * 255 / height), 180] } }
        return PNGEncoder.encode(width: width, height: height, rgb: rgb)
    }()

    /// A store with one kept and one pruned episode, whose page text and labels carry markup.
    static func makeStore() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("viewer-\(UUID().uuidString).sqlite").path
        let store = try CrawlStore(path: path)
        try store.database.write { db in
            try db.execute(sql: "INSERT INTO run VALUES (1, '2026-12-01T00:00:00Z', 'local', 'shop,forum', 2, '{}')")
            for (idx, site) in [(0, "shop"), (1, "forum")] {
                try db.execute(sql: """
                    INSERT INTO episodes (idx, site, persona, start_url, status, stop_reason, shard, instance, actions, started_at)
                    VALUES (?, ?, 'a careful shopper', 'http://shop.local/', 'completed', ?, '0/1', 0, 2, 'now')
                    """, arguments: [idx, site, idx == 0 ? "max_actions" : "pruned"])
                let pages = ["[1] link 'Home'\n[2] link 'Cart'\nStaticText \(hostile)",
                             "[7] link 'Home'\n[8] heading 'Cart'\nStaticText 'Your cart is empty'",
                             "[9] heading 'Orders'"]
                for (i, page) in pages.enumerated() {
                    try db.execute(sql: """
                        INSERT INTO steps (episode, idx, url, observation, raw_output, action, action_description, state_change, constrained)
                        VALUES (?, ?, 'http://shop.local/p', ?, ?, ?, 'click on Cart', 'The cart opened.', 0)
                        """, arguments: [idx, i, page, i < 2 ? hostile : nil, i < 2 ? "click [\(i + 2)]" : nil])
                    // Episode 0 was crawled "in Chromium": its steps have pictures; episode 1's have none.
                    if idx == 0 {
                        try db.execute(sql: "UPDATE steps SET screenshot = ? WHERE episode = 0 AND idx = ?", arguments: [picture, i])
                    }
                }
                try db.execute(sql: """
                    INSERT INTO checkpoints (episode, depth, instruction, raw_label, score, raw_judge, decision, detail)
                    VALUES (?, 2, ?, ?, ?, 'Thought: fine. Reward: 5', ?, 'judge')
                    """, arguments: [idx, idx == 0 ? "Open the cart \(hostile)" : "Browse forums",
                                     "Instruction: \(hostile)", idx == 0 ? 5.0 : 2.0, idx == 0 ? "accept" : "prune"])
            }
            try db.execute(sql: """
                INSERT INTO demonstrations (episode, depth, instruction, normalized_instruction, judge_score, rationales_json,
                    template_rationales, stop_action, stop_raw, stop_parsed)
                VALUES (0, 2, ?, 'open the cart', 5, ?, 1, 'stop [N/A]', 'stop [N/A]', 1)
                """, arguments: ["Open the cart \(hostile)",
                                 #"[{"text":"I click Cart.","template":false},{"text":"\#(hostile)","template":true}]"#])
        }
        return path
    }

    /// Starts the viewer on a free port and runs `body` with its base URL.
    func withViewer(_ path: String, _ body: (String) async throws -> Void) async throws {
        let server = try CrawlViewerServer(storePath: path)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let task = Task { try await server.run(port: 0) { continuation.yield($0); continuation.finish() } }
        defer { task.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { return XCTFail("viewer did not start") }
        try await body("http://127.0.0.1:\(port)")
    }

    func get(_ url: String) async throws -> (status: Int, body: String, location: String?) {
        let (status, data, headers) = try await getData(url)
        return (status, String(decoding: data, as: UTF8.self), headers["Location"])
    }

    func getData(_ url: String) async throws -> (status: Int, body: Data, headers: [String: String]) {
        final class NoRedirect: NSObject, URLSessionTaskDelegate {
            func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                            newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) { completionHandler(nil) }
        }
        let session = URLSession(configuration: .ephemeral, delegate: NoRedirect(), delegateQueue: nil)
        let (data, response) = try await session.data(from: URL(string: url)!)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for name in ["Location", "Content-Type"] { headers[name] = http.value(forHTTPHeaderField: name) }
        return (http.statusCode, data, headers)
    }

    func testPagesShowTheCrawlAndEscapeWhatModelsAndPagesWrote() async throws {
        let path = try Self.makeStore()
        try await withViewer(path) { base in
            let overview = try await get(base + "/")
            XCTAssertEqual(overview.status, 200)
            XCTAssertTrue(overview.body.contains("2 of 2 planned episodes"), overview.body)
            XCTAssertTrue(overview.body.contains("Judge scores"))
            XCTAssertTrue(overview.body.contains("<svg"))

            let kept = try await get(base + "/?outcome=kept")
            XCTAssertTrue(kept.body.contains("1 of 2 episodes match"))
            let forum = try await get(base + "/?site=forum&outcome=pruned")
            XCTAssertTrue(forum.body.contains("1 of 2 episodes match"))
            XCTAssertTrue(forum.body.contains("pruned at depth 2"))
            let searched = try await get(base + "/?q=cart")
            XCTAssertTrue(searched.body.contains("1 of 2 episodes match"))
            let wildcard = try await get(base + "/?q=%25")
            XCTAssertTrue(wildcard.body.contains("0 of 2 episodes match"), "a % in the search is literal")

            let episode = try await get(base + "/episodes/0")
            XCTAssertEqual(episode.status, 200)
            XCTAssertTrue(episode.body.contains("id=\"step-1\""))
            XCTAssertTrue(episode.body.contains("<span class=\"added\">[8] heading &#39;Cart&#39;</span>"),
                          "the line new after the click is highlighted")
            XCTAssertFalse(episode.body.contains("<span class=\"added\">[7] link &#39;Home&#39;</span>"),
                           "a line whose only change is its element id is not a change")
            for page in [overview.body, episode.body, try await get(base + "/demonstrations").body] {
                XCTAssertFalse(page.contains("<script"), "page or model text must never become markup")
                XCTAssertFalse(page.contains("<img src=x"))
            }
            XCTAssertTrue(episode.body.contains("&lt;script&gt;"))

            let row = try await get(base + "/rows/0:2:1")
            XCTAssertEqual(row.status, 303)
            XCTAssertEqual(row.location, "/episodes/0#step-1")
        }
    }

    /// A step's screenshot written through the crawl's own write path comes back byte for byte from
    /// the store's rows (what merging and PostgreSQL copies use), the reader, and the viewer, which
    /// shows it next to the step's observation.
    func testScreenshotsRoundTripThroughTheStoreAndShowNextToTheObservation() async throws {
        let path = try Self.makeStore()
        let store = try CrawlStore(path: path)
        let jpeg = Data([0xFF, 0xD8, 0xFF, 0xE0]) + Data(repeating: 7, count: 2_000)
        try await store.record(step: ExploredStep(index: 2, url: "http://shop.local/p", observation: "[9] heading 'Orders'",
                                                  screenshot: jpeg), episode: 0)
        let rows = try store.rows(of: .steps)
        let shot = CrawlTable.steps.position(of: "screenshot"), episode = CrawlTable.steps.position(of: "episode"),
            index = CrawlTable.steps.position(of: "idx")
        XCTAssertEqual(rows.first { $0[episode] == .integer(0) && $0[index] == .integer(2) }?[shot], .blob(jpeg))
        XCTAssertEqual(rows.first { $0[episode] == .integer(1) && $0[index] == .integer(0) }?[shot], .null)
        let reader = try CrawlStoreReader(path: path)
        XCTAssertEqual(try reader.screenshot(episode: 0, step: 2), jpeg)
        XCTAssertEqual(try reader.steps(episode: 0).map(\.hasScreenshot), [true, true, true])
        XCTAssertEqual(try reader.steps(episode: 1).map(\.hasScreenshot), [false, false, false])

        try await withViewer(path) { base in
            let page = try await get(base + "/episodes/0")
            XCTAssertTrue(page.body.contains("<img class=\"shot\" loading=\"lazy\" src=\"/episodes/0/screenshots/1\""), page.body)
            let native = try await get(base + "/episodes/1")
            XCTAssertFalse(native.body.contains("class=\"shot\""), "native-backend steps have none")
            let image = try await getData(base + "/episodes/0/screenshots/2")
            XCTAssertEqual(image.status, 200)
            XCTAssertEqual(image.body, jpeg)
            XCTAssertEqual(image.headers["Content-Type"], "image/jpeg")
            let png = try await getData(base + "/episodes/0/screenshots/0")
            XCTAssertEqual(png.headers["Content-Type"], "image/png")
            for probe in ["/episodes/1/screenshots/0", "/episodes/0/screenshots/9", "/episodes/0/screenshots/..%2F..%2Fetc%2Fpasswd"] {
                let response = try await get(base + probe)
                XCTAssertEqual(response.status, 404, probe)
            }
        }
    }

    func testRequestsCannotLeaveTheStore() async throws {
        let path = try Self.makeStore()
        try await withViewer(path) { base in
            for probe in ["/episodes/99", "/episodes/abc", "/rows/..%2F..%2Fetc%2Fpasswd", "/../../etc/passwd",
                          "/episodes/%2E%2E%2Fcrawl.sqlite", "/static/crawl.sqlite", "/rows/1:2"] {
                let response = try await get(base + probe)
                XCTAssertEqual(response.status, 404, probe)
                XCTAssertFalse(response.body.contains("root:"), probe)
                XCTAssertFalse(response.body.contains("SQLite format"), probe)
            }
        }
    }

    func testOpeningSomethingElseIsAClearError() throws {
        XCTAssertThrowsError(try CrawlStoreReader(path: "/nonexistent/crawl.sqlite")) {
            XCTAssertEqual(String(describing: $0), "no crawl store at /nonexistent/crawl.sqlite")
        }
        let other = FileManager.default.temporaryDirectory.appendingPathComponent("other-\(UUID().uuidString).sqlite").path
        try DatabaseQueue(path: other).write { try $0.execute(sql: "CREATE TABLE t (x)") }
        XCTAssertThrowsError(try CrawlStoreReader(path: other)) {
            XCTAssertTrue(String(describing: $0).contains("is not a crawl store"))
        }
    }

    /// The pages as a person sees them: headless Chromium loads each without a console error and takes a screenshot.
    func testPagesRenderInChromiumWithoutConsoleErrors() async throws {
        guard let chromium = ChromiumProcess.locateExecutable() else {
            throw XCTSkip("Chromium is not installed (scripts/prerequisites.sh installs it)")
        }
        let path = try Self.makeStore()
        try await withViewer(path) { base in
            for page in ["/", "/episodes/0", "/demonstrations"] {
                let shot = FileManager.default.temporaryDirectory.appendingPathComponent("viewer-\(UUID().uuidString).png").path
                let rendered = try HeadlessPageRender.screenshot(chromium: chromium, url: base + page, to: shot)
                XCTAssertGreaterThan(rendered.png.count, 5_000, "\(page): screenshot is blank")
                XCTAssertEqual(Array(rendered.png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
                XCTAssertEqual(rendered.consoleErrors, [], "\(page): \(rendered.consoleErrors)")
            }
        }
    }
}
