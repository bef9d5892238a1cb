import GRDB
import XCTest
@testable import WebTasks
import NNetnavSupport
import WebSites

/// The evaluators on their own, including the WebArena evaluator bugs they must not repeat.
final class EvaluatorTests: XCTestCase {
    func testNormalisationHandlesNumbersCaseAndPunctuation() {
        XCTAssertEqual(AnswerText.tokens("Total: $1,234.50!"), ["total", "1234.5"])
        XCTAssertEqual(AnswerText.tokens("0.00"), ["0"])
        XCTAssertEqual(AnswerText.tokens("Emma  LOPEZ."), ["emma", "lopez"])
        XCTAssertEqual(AnswerText.tokens("SKU HK-1042"), ["sku", "hk", "1042"])
        XCTAssertEqual(AnswerText.tokens("2nd"), ["2nd"])
    }

    func testMustIncludeUsesWholeTokensNotNLTK() async {
        let m = StringMatch()
        // WebArena's word_tokenize made "$0.00" miss "0" and let "0" hit inside "10".
        var r = await m.evaluate(answer: "It costs $0.00", reference: ReferenceAnswers(mustInclude: ["0"]))
        XCTAssertTrue(r.allSatisfy(\.passed))
        r = await m.evaluate(answer: "10 items", reference: ReferenceAnswers(mustInclude: ["0"]))
        XCTAssertFalse(r.allSatisfy(\.passed))
        r = await m.evaluate(answer: "The price is $1,458.31.", reference: ReferenceAnswers(mustInclude: ["$1,458.31"]))
        XCTAssertTrue(r.allSatisfy(\.passed))
        r = await m.evaluate(answer: "1458.31 dollars", reference: ReferenceAnswers(mustInclude: ["$1,458.31"]))
        XCTAssertTrue(r.allSatisfy(\.passed))
        r = await m.evaluate(answer: "Sep 21, 2023", reference: ReferenceAnswers(mustInclude: ["Sep 2, 2023"]))
        XCTAssertFalse(r.allSatisfy(\.passed))
    }

    func testOrAlternativesAreHonouredEverywhere() async {
        let m = StringMatch()
        let ref = ReferenceAnswers(exactMatch: "May |OR| 2022-05", mustInclude: ["May |OR| 2022-05"],
                                   fuzzyMatch: .answers(["the month of May |OR| 2022-05"]))
        let r = await m.evaluate(answer: "2022-05", reference: ref)
        XCTAssertEqual(r.count, 3)
        XCTAssertTrue(r.allSatisfy(\.passed), r.description)
        XCTAssertTrue(URLMatch().evaluate(finalURL: "http://h:1/b?x=1", reference: "http://h:1/a |OR| http://h:1/b", note: nil).passed)
    }

    func testExactMatchIsStrictOnContent() async {
        let m = StringMatch()
        var r = await m.evaluate(answer: "\"40\"", reference: ReferenceAnswers(exactMatch: "40"))
        XCTAssertTrue(r[0].passed)
        r = await m.evaluate(answer: "40 orders and 2 pending", reference: ReferenceAnswers(exactMatch: "40"))
        XCTAssertFalse(r[0].passed)
        XCTAssertTrue(r[0].reason.contains("is not"))
    }

    func testFuzzyMatchIsDeterministicAndHonoursNotAchievable() async {
        XCTAssertTrue(StringMatch.fuzzyMatches("It was placed by Mia Wilson on June 3", "Mia Wilson"))
        XCTAssertTrue(StringMatch.fuzzyMatches("Sales: 2022 was $94,106.85 and 2023 $88,621.03", "2023 sales were $88,621.03"))
        XCTAssertFalse(StringMatch.fuzzyMatches("Sales were $88,621.00", "2023 sales were $88,621.03"))
        let m = StringMatch()
        var r = await m.evaluate(answer: "N/A", reference: ReferenceAnswers(fuzzyMatch: .notAchievable))
        XCTAssertTrue(r[0].passed)
        r = await m.evaluate(answer: "It costs $12.00", reference: ReferenceAnswers(fuzzyMatch: .notAchievable))
        XCTAssertFalse(r[0].passed)
        let judged = StringMatch(judge: { _, _, answer in answer.contains("cheapest") })
        r = await judged.evaluate(answer: "the cheapest one", reference: ReferenceAnswers(fuzzyMatch: .answers(["Old Mill Rice"])))
        XCTAssertTrue(r[0].passed)
        XCTAssertTrue(r[0].reason.contains("judge"))
    }

    func testURLMatchGoldInPredAndExact() {
        let u = URLMatch()
        XCTAssertTrue(u.evaluate(finalURL: "http://127.0.0.1:9/category/electronics?sort=price_desc&page=2",
                                 reference: "http://127.0.0.1:9/category/electronics?sort=price_desc", note: "GOLD in PRED").passed)
        XCTAssertFalse(u.evaluate(finalURL: "http://127.0.0.1:9/category/electronics?sort=name",
                                  reference: "http://127.0.0.1:9/category/electronics?sort=price_desc", note: nil).passed)
        XCTAssertTrue(u.evaluate(finalURL: "http://x/search?q=yoga+mat", reference: "http://x/search?q=yoga mat", note: nil).passed)
        XCTAssertFalse(u.evaluate(finalURL: "http://x/orders?status=canceled&x=1", reference: "http://x/orders?status=canceled", note: "EXACT").passed)
    }

    func testDatabaseCheckComparesScalarsAndRows() async throws {
        let db = try DatabaseQueue()
        try await db.write { db in
            try db.execute(sql: "CREATE TABLE t (n INTEGER, s TEXT); INSERT INTO t VALUES (1, 'Pending'), (2, 'complete')")
        }
        let check = DatabaseCheck()
        var r = await check.evaluate(DatabaseCheckSpec(sql: "SELECT COUNT(*) FROM t", expected: .number(2)), database: db)
        XCTAssertTrue(r.passed, r.reason)
        r = await check.evaluate(DatabaseCheckSpec(sql: "SELECT s FROM t ORDER BY n", expected: .array([.string("pending"), .string("complete")])), database: db)
        XCTAssertTrue(r.passed, r.reason)
        r = await check.evaluate(DatabaseCheckSpec(sql: "SELECT n FROM t WHERE n > 5", expected: .number(0)), database: db)
        XCTAssertFalse(r.passed)
        XCTAssertTrue(r.reason.contains("expected 0, got null"), r.reason)
        r = await check.evaluate(DatabaseCheckSpec(sql: "SELECT nope FROM t", expected: .null), database: db)
        XCTAssertFalse(r.passed)
        XCTAssertTrue(r.reason.contains("query failed"))
    }

    func testTaskFilesLoadAndHaveEnoughGradedTasks() throws {
        for site in [SiteName.shop, .admin] {
            let set = try TaskSet.load(site: site, baseURLs: [.shop: "http://127.0.0.1:1", .admin: "http://127.0.0.1:2"])
            XCTAssertGreaterThanOrEqual(set.tasks.count, 30, "\(site)")
            XCTAssertEqual(set.tasks.map(\.difficulty).min(), 1)
            XCTAssertGreaterThanOrEqual(set.tasks.map(\.difficulty).max()!, 10)
            for task in set.tasks {
                XCTAssertFalse(task.startURL.contains("__"), "placeholder left in task \(task.taskID)")
                XCTAssertFalse(task.solution.isEmpty, "task \(task.taskID) has no solution")
                XCTAssertFalse(task.eval.evalTypes.isEmpty)
            }
        }
    }

    func testMalformedTaskFileGivesAClearError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-badtasks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("environments/shop"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("prompts"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(#"[{"task_id": 1, "sites": ["shop"], "start_url": "x", "eval": {"eval_types": []}}]"#.utf8)
            .write(to: dir.appendingPathComponent("environments/shop/tasks.json"))
        XCTAssertThrowsError(try TaskSet.load(site: .shop, layout: ProjectLayout(root: dir))) { error in
            XCTAssertTrue(String(describing: error).contains("missing key 'intent'"), "\(error)")
        }
    }
}
