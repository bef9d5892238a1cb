import ChromiumBrowser
import Foundation
import HTTPServer
import WebBrowser
import WebTasks
import XCTest
@testable import Environments
import TestSupport

/// Every `program_html` locator form of WebArena's 812 shipped configs, evaluated in Chromium
/// (DevTools `Runtime.evaluate`) against loopback pages that imitate the markup of the site it was
/// written for. Each form runs a real check from `datasets/webarena/test.raw.json` twice: on a page
/// where the task is done (must pass) and on one where it is not (must fail).
final class WebArenaProgramHTMLTests: XCTestCase {
    /// One real check and the pages it reads.
    struct Case {
        var taskID: Int
        var check: Int
        /// Where the agent stopped, for `last` checks and `__last_url__` (a path under the server).
        var lastPath: String = "/blank"
        /// Pages (path → HTML) where the task is done, and where it is not.
        var done: [String: String]
        var notDone: [String: String]
        /// The shop's REST data where the task is done, and where it is not (nil: unchanged).
        var restDone: ShopREST? = nil
        var restNotDone: ShopREST? = nil
    }

    struct ShopREST: @unchecked Sendable {
        var latestOrder: (entityID: Int, incrementID: String) = (0, "0")
        var reviews: [[String: Any]] = []
        var reviewsJSON: Data { (try? JSONSerialization.data(withJSONObject: reviews)) ?? Data("[]".utf8) }
    }

    /// The pages and REST answers the server gives, changed between cases.
    final class Served: @unchecked Sendable {
        private let lock = NSLock()
        private var pages: [String: String] = [:]
        private var rest = ShopREST()
        func set(_ pages: [String: String], rest: ShopREST?) {
            lock.withLock {
                self.pages = pages
                if let rest { self.rest = rest }
            }
        }
        func page(_ path: String) -> String? { lock.withLock { pages[path] } }
        var shop: ShopREST { lock.withLock { rest } }
    }

    static func html(_ body: String, script: String = "") -> String {
        "<!doctype html><html><head><title>WebArena imitation</title></head><body>\(body)<script>\(script)</script></body></html>"
    }

    /// The form of a locator: quoted strings and indices blanked (as in the enumeration of the 812 configs).
    static func form(_ locator: String) -> String {
        var text = locator
        for (pattern, replacement) in [("'[^']*'|\"[^\"]*\"|`[^`]*`", "S"), ("\\[\\d+\\]", "[N]")] {
            let regex = try! NSRegularExpression(pattern: pattern)
            text = regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: replacement)
        }
        return text
    }

    func cases(gitlab: String) -> [Case] {
        let reviewOld: [String: Any] = ["nickname": "Old Reviewer", "created_at": "2023-01-01 10:00:00", "ratings": [["rating_name": "Rating", "percent": 40]]]
        let reviewNew: [String: Any] = ["nickname": "Emma Lopez", "created_at": "2023-06-01 10:00:00", "ratings": [["rating_name": "Rating", "percent": 100]]]
        let orderPage = { (sku: String) in Self.html("<div class=\"order-details-items ordered\"><table><tr><td>Sprite Yoga Strap</td><td>SKU: \(sku)</td></tr></table></div>") }
        let members = { (role: String) in Self.html("""
            <table><tr><td data-label="Account"><span class="gl-avatar-labeled-sublabel">@byteblaze</span></td><td class="col-max-role"><span>Owner</span></td></tr>
            <tr><td data-label="Account"><span class="gl-avatar-labeled-sublabel">@abisubramanya27</span></td><td class="col-max-role"><span>\(role)</span></td></tr></table>
            """) }
        let rule = { (action: String) in Self.html("""
            <input name="name" value="spring sale"><div data-index="actions"><div class="admin__collapsible-title">Actions</div><div id="fieldset"></div></div>
            """, script: """
            document.querySelector('.admin__collapsible-title').addEventListener('click', () => {
              document.getElementById('fieldset').innerHTML = '<select name="simple_action"><option value="\(action)" selected>x</option></select>';
            });
            """) }
        let submission = { (image: String) in Self.html("""
            <div class="submission__inner"><h1><a href="/reddit/f/pics/555/sunset">Sunset</a></h1><p>Submitted by u/MarvelsGrantMan136 from /f/pics</p>
            <a href="/submission_images/\(image).jpg"><img src="/media/cache/\(image).jpg"></a></div>
            """) }
        let target = "b02113033af32feae9ff147dbbe3764039368d67d193885bd04e65c2e6beea9c"
        return [
            // "" — the whole page.
            Case(taskID: 118, check: 0, lastPath: "/shop/catalogsearch/result",
                 done: ["/shop/catalogsearch/result": Self.html("<ol><li>Mouth Guard for jaw bruxism, 4 pack</li></ol>")],
                 notDone: ["/shop/catalogsearch/result": Self.html("<ol><li>Teeth whitening strips</li></ol>")]),
            // document.querySelector(S).selectedIndex
            Case(taskID: 356, check: 0, lastPath: "/map/directions",
                 done: ["/map/directions": Self.html("<div id=\"content\"><select class=\"routing_engines\"><option>Bicycle</option><option selected>Car</option></select></div>")],
                 notDone: ["/map/directions": Self.html("<div id=\"content\"><select class=\"routing_engines\"><option selected>Bicycle</option><option>Car</option></select></div>")]),
            // document.querySelector(S).value — with WebArena's unclosed `[name="route_from"`.
            Case(taskID: 356, check: 1, lastPath: "/map/directions",
                 done: ["/map/directions": Self.html("<input name=\"route_from\" value=\"Gates and Hillman Centers, Pittsburgh, PA\">")],
                 notDone: ["/map/directions": Self.html("<input name=\"route_from\" value=\"\">")]),
            // document.querySelector(S).outerText
            Case(taskID: 369, check: 0, lastPath: "/map/search",
                 done: ["/map/search": Self.html("<div id=\"sidebar_content\"><h2>Search results</h2><ul><li>Carnegie Music Hall, Pittsburgh</li></ul></div>")],
                 notDone: ["/map/search": Self.html("<div id=\"sidebar_content\"><h2>Search results</h2><p>No results found</p></div>")]),
            // …lastElementChild.querySelector(S).outerText
            Case(taskID: 390, check: 0,
                 done: ["/gitlab/a11yproject/a11yproject.com/-/merge_requests/1531": Self.html("""
                    <ul id="notes-list"><li><div class="timeline-discussion-body">Please rebase</div></li><li><div class="timeline-discussion-body">lgtm</div></li></ul>
                    """)],
                 notDone: ["/gitlab/a11yproject/a11yproject.com/-/merge_requests/1531": Self.html("""
                    <ul id="notes-list"><li><div class="timeline-discussion-body">lgtm</div></li><li><div class="timeline-discussion-body">Please rebase</div></li></ul>
                    """)]),
            // …querySelector(S).querySelector(S).getAttribute(S)
            Case(taskID: 404, check: 0,
                 done: ["/reddit/f/books/124260/adults-reading-to-each-other-out-loud": Self.html("<div class=\"submission__vote\"><form class=\"vote vote--user-upvoted\" method=\"post\"><button>Upvote</button></form></div>")],
                 notDone: ["/reddit/f/books/124260/adults-reading-to-each-other-out-loud": Self.html("<div class=\"submission__vote\"><form class=\"vote\" method=\"post\"><button>Upvote</button></form></div>")]),
            // …lastChild.textContent
            Case(taskID: 418, check: 0,
                 done: ["/gitlab/byteblaze": Self.html("<div class=\"cover-status\"><span class=\"emoji\">🔴</span>Busy</div>")],
                 notDone: ["/gitlab/byteblaze": Self.html("<div class=\"cover-status\"><span class=\"emoji\">🟢</span>Available</div>")]),
            // A + (B?.outerText || '') on `__SHOPPING_ADMIN__/../antonia-racer-tank.html`
            Case(taskID: 464, check: 0,
                 done: ["/shop/antonia-racer-tank.html": Self.html("""
                    <div class="data item content">This is in regular rotation at the gym. Its colorful and looks kinda cute under my exercise tanks.</div>
                    <div class="product attribute overview"><div itemprop="description">it's very stylish for yoga or something else low impact</div></div>
                    """)],
                 notDone: ["/shop/antonia-racer-tank.html": Self.html("<div class=\"data item content\">This is in regular rotation at the gym.</div>")]),
            // func:gitlab_get_project_memeber_role(__page__, S)
            Case(taskID: 481, check: 0,
                 done: ["/gitlab/byteblaze/dotfiles/-/project_members": members("Guest")],
                 notDone: ["/gitlab/byteblaze/dotfiles/-/project_members": members("Developer")]),
            // …querySelector(S).firstElementChild.querySelector(S).outerText
            Case(taskID: 492, check: 0,
                 done: ["/shop/admin/sales/order/view/order_id/302/": Self.html("""
                    <div id="order_history_block"><ul class="note-list"><li><div class="note-list-comment">sorry we are out of stock, please reorder</div></li><li><div class="note-list-comment">Order placed</div></li></ul></div>
                    """)],
                 notDone: ["/shop/admin/sales/order/view/order_id/302/": Self.html("""
                    <div id="order_history_block"><ul class="note-list"><li><div class="note-list-comment">Order placed</div></li></ul></div>
                    """)]),
            // …checked.toString()
            Case(taskID: 521, check: 0,
                 done: ["/shop/newsletter/manage/": Self.html("<input type=\"checkbox\" title=\"General Subscription\" checked>")],
                 notDone: ["/shop/newsletter/manage/": Self.html("<input type=\"checkbox\" title=\"General Subscription\">")]),
            // func:shopping_get_sku_latest_review_rating(S) and …_author(S): the newest review by date, not the list's last.
            Case(taskID: 585, check: 0, done: [:], notDone: [:],
                 restDone: ShopREST(reviews: [reviewNew, reviewOld]), restNotDone: ShopREST(reviews: [reviewOld])),
            Case(taskID: 585, check: 1, done: [:], notDone: [:],
                 restDone: ShopREST(reviews: [reviewNew, reviewOld]), restNotDone: ShopREST(reviews: [reviewOld])),
            // [...querySelectorAll(S)].map(…).join(S) on func:reddit_get_post_url('__last_url__')
            Case(taskID: 615, check: 1, lastPath: "/reddit/f/pics/555/sunset/comment/12",
                 done: ["/reddit/f/pics/555/": submission(target)], notDone: ["/reddit/f/pics/555/": submission("0000")]),
            // document.querySelectorAll(S)[N].outerText
            Case(taskID: 666, check: 0, lastPath: "/gitlab/primer/design/-/merge_requests/new",
                 done: ["/gitlab/primer/design/-/merge_requests/new": Self.html("<div class=\"detail-page-description\">From <a class=\"gl-font-monospace\">dialog-component</a> into <a class=\"gl-font-monospace\">dialog</a></div>")],
                 notDone: ["/gitlab/primer/design/-/merge_requests/new": Self.html("<div class=\"detail-page-description\">From <a class=\"gl-font-monospace\">dialog</a> into <a class=\"gl-font-monospace\">main</a></div>")]),
            // A.outerText + [...B.querySelectorAll(S)].map(…).join(S), required contents naming __GITLAB__
            Case(taskID: 684, check: 0, lastPath: "/reddit/f/chrome/99/post",
                 done: ["/reddit/f/chrome/99/post": Self.html("""
                    <div class="submission__inner"><h1>Chrome extension that replaces occurrences of 'the cloud' with 'my butt'</h1><a href="\(gitlab)/byteblaze/cloud-to-butt">repo</a></div>
                    """)],
                 notDone: ["/reddit/f/chrome/99/post": Self.html("""
                    <div class="submission__inner"><h1>Chrome extension that replaces occurrences of 'the cloud' with 'my butt'</h1><a href="\(gitlab)/byteblaze/dotfiles">repo</a></div>
                    """)]),
            // document.querySelector(S).getAttribute(S)
            Case(taskID: 742, check: 0,
                 done: ["/gitlab/byteblaze/planner": Self.html("<span class=\"visibility-icon\" title=\"Private - Project access must be granted explicitly\">🔒</span>")],
                 notDone: ["/gitlab/byteblaze/planner": Self.html("<span class=\"visibility-icon\" title=\"Public - The project can be accessed without authentication\">🌐</span>")]),
            // prep_actions before a .value locator: the field exists only after the section is expanded.
            Case(taskID: 699, check: 3, lastPath: "/shop/admin/sales_rule/promo_quote/edit",
                 done: ["/shop/admin/sales_rule/promo_quote/edit": rule("by_percent")],
                 notDone: ["/shop/admin/sales_rule/promo_quote/edit": rule("cart_fixed")]),
            // func:shopping_get_latest_order_url(): the order's entity id (7), not its increment id (5).
            Case(taskID: 436, check: 0,
                 done: ["/shop/sales/order/view/order_id/7/": orderPage("B07DFJ5XKH"), "/shop/sales/order/view/order_id/5/": orderPage("B000000000")],
                 notDone: ["/shop/sales/order/view/order_id/7/": orderPage("B000000000"), "/shop/sales/order/view/order_id/5/": orderPage("B07DFJ5XKH")],
                 restDone: ShopREST(latestOrder: (7, "000000005")), restNotDone: ShopREST(latestOrder: (7, "000000005"))),
        ]
    }

    func testEveryProgramHTMLLocatorFormOfTheShippedConfigsRunsInChromium() async throws {
        try TestRequirements.chromium()
        let served = Served()
        let router = Router()
        router.post("**") { request, _ -> Response in
            guard request.uri.path.hasSuffix("/rest/default/V1/integration/admin/token") else { return Response(status: .notFound) }
            let body = try request.body(upTo: 1 << 16)
            let credentials = try JSONSerialization.jsonObject(with: Data(body)) as? [String: String]
            guard credentials?["username"] == "admin", credentials?["password"] == "admin1234" else { return Response(status: .unauthorized) }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(string: "\"test-token\""))
        }
        router.get("**") { request, _ -> Response in
            let path = request.uri.path
            func json(_ data: Data) -> Response {
                Response(status: .ok, headers: [.contentType: "application/json"], body: .init(bytes: data))
            }
            if path.contains("/rest/V1/") {
                guard request.headers[.authorization] == "Bearer test-token" else { return Response(status: .unauthorized) }
                let shop = served.shop
                if path.hasSuffix("/rest/V1/orders") {
                    let order: [String: Any] = ["entity_id": shop.latestOrder.entityID, "increment_id": shop.latestOrder.incrementID]
                    return json(try JSONSerialization.data(withJSONObject: ["items": [order]]))
                }
                if path.hasSuffix("/reviews") { return json(shop.reviewsJSON) }
                return Response(status: .notFound)
            }
            let html = served.page(path) ?? (path == "/blank" ? Self.html("<p>start</p>") : nil)
            guard let html else { return Response(status: .notFound, body: .init(string: "no page \(path)")) }
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(string: html))
        }
        let chromium = try await ChromiumBrowser.launch()
        defer { chromium.close() }
        try await LoopbackHTTPServer.with(router: router, label: "webarena-imitation") { port in
            let base = "http://127.0.0.1:\(port)"
            let deployment = WebArenaDeployment(baseURLs: [
                .shopping: base + "/shop", .shoppingAdmin: base + "/shop/admin", .reddit: base + "/reddit",
                .gitlab: base + "/gitlab", .map: base + "/map", .wikipedia: base + "/wiki", .homepage: base + "/home",
            ])
            let tasks = try WebArenaTaskFile.load(WebArenaTaskFile.defaultFile(), deployment: deployment)
            let byID = Dictionary(uniqueKeysWithValues: tasks.map { ($0.taskID, $0) })
            let cases = cases(gitlab: base + "/gitlab")

            // The cases cover every locator form and every page helper of the 812 configs.
            let allChecks = tasks.flatMap { $0.eval.programHTML ?? [] }
            let forms = Set(allChecks.map { Self.form($0.locator) })
            let covered = Set(cases.compactMap { byID[$0.taskID]?.eval.programHTML?[$0.check] }.map { Self.form($0.locator) })
            XCTAssertEqual(forms.subtracting(covered), [], "locator forms without a test page")
            XCTAssertEqual(forms.count, 17, "the shipped configs have 17 locator forms (the empty locator included)")
            let urlHelpers = Set(allChecks.map(\.url).filter { $0.hasPrefix("func:") }.map { String($0.prefix { $0 != "(" }) })
            let coveredHelpers = Set(cases.compactMap { byID[$0.taskID]?.eval.programHTML?[$0.check].url }.filter { $0.hasPrefix("func:") }
                .map { String($0.prefix { $0 != "(" }) })
            XCTAssertEqual(urlHelpers, coveredHelpers)

            let source = ChromiumBrowserSource(browser: chromium)
            let checker = PageContentCheck(shoppingAPI: MagentoShoppingAPI(baseURL: deployment.baseURLs[.shopping]!))
            for c in cases {
                let check = try XCTUnwrap(byID[c.taskID]?.eval.programHTML?[c.check], "task \(c.taskID) check \(c.check)")
                for (done, pages, rest) in [(true, c.done, c.restDone), (false, c.notDone, c.restNotDone)] {
                    served.set(pages.merging([c.lastPath: Self.html("<p>where the agent stopped</p>")]) { page, _ in page }, rest: rest)
                    let browser = try await source.makeBrowser(allowedURLPrefixes: [base])
                    _ = try await browser.reset(startURL: base + c.lastPath)
                    let results = await checker.evaluate(check, browser: browser)
                    await browser.close()
                    let passed = results.allSatisfy(\.passed)
                    XCTAssertEqual(passed, done, "task \(c.taskID) check \(c.check) \(check.locator) (\(done ? "done" : "not done")): \(results)")
                }
            }
        }
    }
}
