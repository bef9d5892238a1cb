import Foundation
import GRDB
import XCTest
@testable import WebSites

/// Seed data of the forum, code and wiki sites: deterministic, and of the advertised size.
final class ForumSeedTests: XCTestCase {
    private func seeded(_ prepare: (Database, UInt64) throws -> Void, seed: UInt64 = 1) throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        try queue.write { try prepare($0, seed) }
        return queue
    }

    private func dump(_ queue: DatabaseQueue, tables: [String]) throws -> String {
        try queue.read { db in
            try tables.map { table in
                try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY rowid").map(\.description).joined(separator: "\n")
            }.joined(separator: "\n")
        }
    }

    func testSameSeedGivesIdenticalContentAndOtherSeedsDiffer() throws {
        let forumTables = ["users", "posts", "comments", "votes", "subscriptions"]
        XCTAssertEqual(try dump(seeded(ForumSite.prepare), tables: forumTables), try dump(seeded(ForumSite.prepare), tables: forumTables))
        XCTAssertNotEqual(try dump(seeded(ForumSite.prepare), tables: ["posts"]),
                          try dump(seeded(ForumSite.prepare, seed: 2), tables: ["posts"]))
        let codeTables = ["users", "projects", "issues", "notes", "merge_requests", "members", "stars"]
        XCTAssertEqual(try dump(seeded(CodeSite.prepare), tables: codeTables), try dump(seeded(CodeSite.prepare), tables: codeTables))
        let wikiTables = ["articles", "infobox", "sections", "categories"]
        XCTAssertEqual(try dump(seeded(WikiSite.prepare), tables: wikiTables), try dump(seeded(WikiSite.prepare), tables: wikiTables))
    }

    func testSitesHoldHundredsOfEntities() throws {
        let forum = try seeded(ForumSite.prepare)
        try forum.read { db in
            XCTAssertGreaterThanOrEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM forums")!, 15)
            XCTAssertGreaterThanOrEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM posts")!, 300)
            XCTAssertGreaterThanOrEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM comments")!, 1000)
        }
        let code = try seeded(CodeSite.prepare)
        try code.read { db in
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM projects")!, 30)
            XCTAssertGreaterThanOrEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM issues")!, 300)
            XCTAssertGreaterThanOrEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM files")!, 200)
        }
        let wiki = try seeded(WikiSite.prepare)
        try wiki.read { db in
            XCTAssertGreaterThanOrEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM articles")!, 150)
            // Every internal link points at an existing article.
            let bodies = try String.fetchAll(db, sql: "SELECT body FROM sections UNION ALL SELECT summary FROM articles")
            let titles = Set(try String.fetchAll(db, sql: "SELECT title FROM articles"))
            for body in bodies {
                for part in body.components(separatedBy: "[[").dropFirst() {
                    let target = part.components(separatedBy: "]]")[0].components(separatedBy: "|")[0]
                    XCTAssertTrue(titles.contains(target), "dangling link to \(target)")
                }
            }
        }
    }
}
