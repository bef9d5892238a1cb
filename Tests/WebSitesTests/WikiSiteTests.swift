import Foundation
import GRDB
import WebBrowser
import WebTasks
import XCTest
@testable import WebSites

/// Walks the wiki: main page, articles with infobox and links, categories, search.
final class WikiSiteTests: XCTestCase {
    nonisolated(unsafe) static var site: SiteUnderTest!

    override class func setUp() {
        super.setUp()
        site = SiteUnderTest.startBlocking(WikiSite.definition)
    }

    override class func tearDown() {
        site.shutdown()
        super.tearDown()
    }

    func testArticlesCategoriesAndSearch() async throws {
        let client = SiteClient(site: Self.site)
        let main = try await client.get("/")
        XCTAssertTrue(main.text.contains("Featured article"))
        let (country, capital) = try await Self.site.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT a.title, i.value FROM articles a JOIN infobox i ON i.article_id = a.id
                WHERE a.kind = 'country' AND i.label = 'Capital' ORDER BY a.id LIMIT 1
                """)!
            return (row["title"] as String, row["value"] as String)
        }
        let article = try await client.get(WikiRoutes.articlePath(country))
        XCTAssertEqual(article.status, 200)
        XCTAssertTrue(article.text.contains("<th scope=\"row\">Capital</th><td>\(capital)</td>"))
        XCTAssertTrue(article.text.contains("href=\"\(WikiRoutes.articlePath(capital))\""))

        let category = try await client.get(WikiRoutes.categoryPath("Rivers"))
        XCTAssertTrue(category.text.contains("25 articles in this category."))

        // An exact title jumps to the article; other text lists results.
        let exact = try await client.get("/search?pattern=\(FormData.escape(country))")
        XCTAssertTrue(exact.url.hasSuffix(WikiRoutes.articlePath(country)))
        let results = try await client.get("/search?pattern=River")
        XCTAssertTrue(results.text.contains("results for"))
        let missing = try await client.get("/wiki/No_such_article")
        XCTAssertEqual(missing.status, 404)
    }
}

extension WikiSiteTests {
    func testEveryTaskIsSolvableAndAWrongAttemptFails() async throws {
        let runner = TaskReplay(site: Self.site, loginButton: nil, password: "")
        let (count, failures) = try await runner.verifyAll()
        XCTAssertGreaterThanOrEqual(count, 30)
        XCTAssertEqual(failures, [], failures.joined(separator: "\n"))
    }
}

extension WikiSiteTests {
    /// Searching by exact title lands on the article; its infobox is a table the browser names.
    func testBrowserSearchesAndReadsAnArticle() async throws {
        let title = try await Self.site.read { db in
            try String.fetchOne(db, sql: "SELECT title FROM articles WHERE kind = 'river' ORDER BY id LIMIT 1")!
        }
        let browser = BrowserSession(configuration: BrowserConfiguration(allowedURLPrefixes: [Self.site.baseURL]))
        _ = try await browser.reset(startURL: Self.site.url("/"))
        let run = try await ScriptedSolver().run([
            .type(ElementLocator(role: "searchbox", name: "Search the encyclopedia"), text: title, enter: true),
        ], in: browser)
        XCTAssertTrue(run.finalURL.hasSuffix(WikiRoutes.articlePath(title)), run.finalURL)
        let observation = browser.observation
        XCTAssertTrue(observation.text.contains("heading '\(title)'"), observation.text)
        XCTAssertTrue(observation.text.contains("rowheader 'Length'"), observation.text)
        XCTAssertTrue(observation.text.contains("navigation 'Contents'"), observation.text)
    }
}
