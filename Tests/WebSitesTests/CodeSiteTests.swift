import Foundation
import GRDB
import WebBrowser
import WebTasks
import XCTest
@testable import WebSites

/// Walks the code host's main flows over HTTP: explore, browse files, issues, merge requests, members, stars.
final class CodeSiteTests: XCTestCase {
    nonisolated(unsafe) static var site: SiteUnderTest!

    override class func setUp() {
        super.setUp()
        site = SiteUnderTest.startBlocking(CodeSite.definition)
    }

    override class func tearDown() {
        site.shutdown()
        super.tearDown()
    }

    func testBrowsingIssuesMergeRequestsAndMembers() async throws {
        try await Self.site.reset()
        let client = SiteClient(site: Self.site)
        let explore = try await client.get("/?sort=stars")
        XCTAssertEqual(explore.status, 200)
        XCTAssertTrue(explore.text.contains("arivera / csv-toolkit"))

        let project = try await client.get("/arivera/csv-toolkit")
        XCTAssertTrue(project.text.contains("Command-line tools for cleaning and joining CSV files"))
        XCTAssertTrue(project.text.contains("<h3>Installation</h3>"))
        let folder = try await client.get("/arivera/csv-toolkit/-/tree/main/src/csv_toolkit")
        XCTAssertTrue(folder.text.contains("reader.py"))
        let file = try await client.get("/arivera/csv-toolkit/-/blob/main/src/csv_toolkit/reader.py")
        XCTAssertTrue(file.text.contains("def run_reader(items, options=None):"))
        let missing = try await client.get("/arivera/csv-toolkit/-/blob/main/nope.txt")
        XCTAssertEqual(missing.status, 404)
        let profile = try await client.get("/users/arivera")
        XCTAssertTrue(profile.text.contains("Alex Rivera"))

        let issues = try await client.get("/arivera/csv-toolkit/-/issues?state=all&label=bug")
        XCTAssertEqual(issues.status, 200)
        let firstIssue = try await client.get("/arivera/csv-toolkit/-/issues/1")
        XCTAssertTrue(firstIssue.text.contains("Issue #1"))

        let login = try await client.post("/login", ["username": CodeDatabase.taskUser, "password": CodeDatabase.password,
                                                     "next": "/arivera/csv-toolkit"])
        XCTAssertTrue(login.text.contains("Sign out"))
        let created = try await client.post("/arivera/csv-toolkit/-/issues",
                                            ["title": "Reader drops the last row", "description": "Seen with a 3-row file.", "label": "bug"])
        XCTAssertTrue(created.text.contains("Reader drops the last row"))
        XCTAssertTrue(created.text.contains("Status: <strong>Open</strong>"))
        let path = URL(string: created.url)!.path
        _ = try await client.post(path + "/labels", ["label": "performance"])
        _ = try await client.post(path + "/assign", ["assignee": "arivera"])
        _ = try await client.post(path + "/notes", ["body": "Working on it."])
        let closed = try await client.post(path + "/close", [:])
        XCTAssertTrue(closed.text.contains("Status: <strong>Closed</strong>"))
        XCTAssertTrue(closed.text.contains("bug, performance"))
        XCTAssertTrue(closed.text.contains("Working on it."))
        XCTAssertTrue(closed.text.contains("<dd>arivera</dd>"))

        let starred = try await client.post("/arivera/csv-toolkit/star", [:])
        XCTAssertTrue(starred.text.contains(">Unstar<"))
        let member = try await client.post("/arivera/csv-toolkit/-/project_members", ["username": "nobody-here", "role": "Developer"])
        XCTAssertEqual(member.status, 400)

        let mrPath = try await Self.site.read { db in
            try String.fetchOne(db, sql: """
                SELECT '/' || p.namespace || '/' || p.name || '/-/merge_requests/' || m.number FROM merge_requests m
                JOIN projects p ON p.id = m.project_id WHERE m.state = 'opened' ORDER BY m.id LIMIT 1
                """)!
        }
        let merged = try await client.post(mrPath + "/merge", [:])
        XCTAssertTrue(merged.text.contains("Status: <strong>Merged</strong>"))

        let search = try await client.get("/search?q=tide")
        XCTAssertTrue(search.text.contains("tide-tables"))
        try await Self.site.reset()
    }
}

extension CodeSiteTests {
    func testEveryTaskIsSolvableAndAWrongAttemptFails() async throws {
        let runner = TaskReplay(site: Self.site, loginButton: "Sign in", password: CodeDatabase.password)
        let (count, failures) = try await runner.verifyAll()
        XCTAssertGreaterThanOrEqual(count, 30)
        XCTAssertEqual(failures, [], failures.joined(separator: "\n"))
    }
}

extension CodeSiteTests {
    /// The project's browser sees tables with headers, labelled fields and named buttons.
    func testBrowserWalksAProjectAndItsIssues() async throws {
        try await Self.site.reset()
        let browser = BrowserSession(configuration: BrowserConfiguration(allowedURLPrefixes: [Self.site.baseURL]))
        _ = try await browser.reset(startURL: Self.site.url("/"))
        _ = try await ScriptedSolver().run([
            .click(ElementLocator(role: "link", name: "arivera / csv-toolkit")),
            .click(ElementLocator(role: "link", name: "Issues")),
        ], in: browser)
        let observation = browser.observation
        XCTAssertTrue(observation.text.contains("columnheader 'Assignee'"), observation.text)
        XCTAssertTrue(observation.text.contains("searchbox 'Search issues'"), observation.text)
        XCTAssertTrue(observation.text.contains("link 'New issue'"), observation.text)
    }
}
