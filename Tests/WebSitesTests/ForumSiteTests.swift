import NNetnavSupport
import Foundation
import GRDB
import WebBrowser
import WebTasks
import XCTest
@testable import WebSites

/// Walks the forum's main flows over HTTP: browse, read, log in, post, comment, vote, subscribe, search.
final class ForumSiteTests: XCTestCase {
    nonisolated(unsafe) static var site: SiteUnderTest!

    override class func setUp() {
        super.setUp()
        site = SiteUnderTest.startBlocking(ForumSite.definition)
    }

    override class func tearDown() {
        site.shutdown()
        super.tearDown()
    }

    func testBrowsingReadingAndWriting() async throws {
        try await Self.site.reset()
        let client = SiteClient(site: Self.site)
        let front = try await client.get("/")
        XCTAssertEqual(front.status, 200)
        XCTAssertTrue(front.text.contains("<h1>Front page</h1>"))
        XCTAssertTrue(front.text.contains("Next page"))

        let forums = try await client.get("/forums")
        XCTAssertTrue(forums.text.contains("f/books") && forums.text.contains("f/Seattle"))

        let books = try await client.get("/f/books?sort=top")
        XCTAssertEqual(books.status, 200)
        XCTAssertTrue(books.text.contains("Subscribe"))
        let (postID, title) = try await Self.site.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT id, title FROM posts WHERE forum_id = 1 ORDER BY id LIMIT 1")!
            return (row["id"] as Int64, row["title"] as String)
        }
        let post = try await client.get("/f/books/\(postID)")
        XCTAssertTrue(post.text.contains(HTML.escape(title)))
        let missingForum = try await client.get("/f/nosuchforum").status
        XCTAssertEqual(missingForum, 404)
        let missingPost = try await client.get("/f/books/999999").status
        XCTAssertEqual(missingPost, 404)

        // Writing needs a login; a wrong password is refused with the form again.
        let anonymous = try await client.get("/submit")
        XCTAssertTrue(anonymous.url.contains("/login"))
        let refused = try await client.post("/login", ["username": ForumDatabase.taskUser, "password": "wrong"]).status
        XCTAssertEqual(refused, 401)
        let loggedIn = try await client.post("/login", ["username": ForumDatabase.taskUser, "password": ForumDatabase.password])
        XCTAssertTrue(loggedIn.text.contains("Log out"))

        let created = try await client.post("/submit", ["forum": "gaming", "title": "Harbor test post", "body": "Hello there"])
        XCTAssertTrue(created.url.contains("/f/gaming/"))
        XCTAssertTrue(created.text.contains("Harbor test post"))
        let newestFirst = try await client.get("/f/gaming")
        XCTAssertTrue(newestFirst.text.contains("Harbor test post"))
        let untitled = try await client.post("/submit", ["forum": "gaming", "title": ""]).status
        XCTAssertEqual(untitled, 400)

        let commented = try await client.post("/f/books/\(postID)/comment", ["body": "A fine comment from a test"])
        XCTAssertTrue(commented.text.contains("A fine comment from a test"))
        let upvoted = try await client.post("/f/books/\(postID)/vote", ["value": "1"])
        XCTAssertTrue(upvoted.text.contains("You upvoted this post."))
        let withdrawn = try await client.post("/f/books/\(postID)/vote", ["value": "1"])
        XCTAssertFalse(withdrawn.text.contains("You upvoted this post."))

        let subscribed = try await client.post("/f/gaming/subscribe", [:])
        XCTAssertTrue(subscribed.text.contains("Unsubscribe"))
        let profile = try await client.get("/user/\(ForumDatabase.taskUser)")
        XCTAssertTrue(profile.text.contains("Subscriptions (4)"))
        XCTAssertTrue(profile.text.contains("Harbor test post"))

        let search = try await client.get("/search?q=Harbor+test")
        XCTAssertTrue(search.text.contains("1 results"))

        // Reset restores the seeded state.
        try await Self.site.reset()
        let after = try await client.get("/search?q=Harbor+test")
        XCTAssertTrue(after.text.contains("0 results"))
    }
}

extension ForumSiteTests {
    func testEveryTaskIsSolvableAndAWrongAttemptFails() async throws {
        let runner = TaskReplay(site: Self.site, loginButton: "Log in", password: ForumDatabase.password)
        let (count, failures) = try await runner.verifyAll()
        XCTAssertGreaterThanOrEqual(count, 30)
        XCTAssertEqual(failures, [], failures.joined(separator: "\n"))
    }
}

extension ForumSiteTests {
    /// The project's browser sees a semantic page: headings, labelled search, named buttons.
    func testBrowserWalksTheForum() async throws {
        try await Self.site.reset()
        let browser = BrowserSession(configuration: BrowserConfiguration(allowedURLPrefixes: [Self.site.baseURL]))
        var observation = try await browser.reset(startURL: Self.site.url("/"))
        XCTAssertTrue(observation.text.contains("heading 'Front page'"), observation.text)
        XCTAssertTrue(observation.text.contains("searchbox 'Search posts'"), observation.text)
        _ = try await ScriptedSolver().run([
            .click(ElementLocator(role: "link", name: "Forums")),
            .click(ElementLocator(role: "link", name: "f/books")),
        ], in: browser)
        observation = browser.observation
        XCTAssertTrue(observation.text.contains("heading 'Books'"), observation.text)
        XCTAssertTrue(observation.text.contains("button 'Subscribe'"), observation.text)
        XCTAssertTrue(observation.text.contains("link 'Most commented'"), observation.text)
    }
}

extension ForumSiteTests {
    /// Acting while signed out leads to the sign-in page and back to the page the action was on.
    func testSignedOutActionReturnsToItsPageAfterSigningIn() async throws {
        let client = SiteClient(site: Self.site)
        let refused = try await client.post("/f/books/1/vote", ["value": "1"])
        XCTAssertTrue(refused.url.contains("/login?next=%2Ff%2Fbooks%2F1"), refused.url)
        let back = try await client.post("/login", ["username": ForumDatabase.taskUser, "password": ForumDatabase.password,
                                                    "next": "/f/books/1"])
        XCTAssertTrue(back.url.hasSuffix("/f/books/1"), back.url)
        XCTAssertTrue(back.text.contains("Upvote"))
    }
}
