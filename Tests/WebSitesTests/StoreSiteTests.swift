import Foundation
import GRDB
import HTTPTransport
import XCTest
@testable import WebSites

/// The shop and admin sites over raw HTTP: main flows, shared database, reset and isolation.
final class StoreSiteTests: XCTestCase {
    func testShopBrowsingPagesRender() async throws {
        let cluster = try await StoreClusterFixture.shared.cluster()
        let shop = WebClient(base: await cluster.baseURL(.shop))
        let home = try await shop.get("/")
        XCTAssertEqual(home.status, 200)
        XCTAssertTrue(home.text.contains("<h1>Welcome to One Stop Market</h1>"))
        XCTAssertTrue(home.text.contains("Shop by Department"))

        let category = try await shop.get("/category/cookware?sort=price_asc")
        XCTAssertTrue(category.text.contains("Items 1-12 of"), "category listing shows a count")
        let search = try await shop.get("/search?q=coffee&max_price=20")
        XCTAssertTrue(search.text.contains("Search results for: &#39;coffee&#39;"))
        XCTAssertFalse(search.text.contains("Your search returned no results"))

        let product = try await shop.get("/product/5")
        XCTAssertTrue(product.text.contains("Add to Cart"))
        XCTAssertTrue(product.text.contains("<label for=\"f-qty\">Qty</label>"), "inputs carry labels")
        let missingProduct = try await shop.get("/product/999999")
        XCTAssertEqual(missingProduct.status, 404)
        let missingCategory = try await shop.get("/category/nope")
        XCTAssertEqual(missingCategory.status, 404)
        let noRoute = try await shop.get("/no/such/page")
        XCTAssertEqual(noRoute.status, 404)
        XCTAssertTrue(noRoute.text.contains("There is no page at /no/such/page"), "unknown routes get a page with a way home")
    }

    func testCheckoutInShopAppearsInAdminAndResetRestores() async throws {
        let cluster = try await StoreClusterFixture.shared.cluster()
        try await cluster.reset(.shop, instance: 1)
        let shop = WebClient(base: await cluster.baseURL(.shop, instance: 1))
        let admin = WebClient(base: await cluster.baseURL(.admin, instance: 1))

        let cartWithoutLogin = try await shop.get("/cart")
        XCTAssertTrue(cartWithoutLogin.url.contains("/login"), "cart needs a signed-in customer")
        let badLogin = try await shop.post("/login", [("email", "emma.lopez@example.com"), ("password", "wrong")])
        XCTAssertEqual(badLogin.status, 401)
        let login = try await shop.post("/login", [("email", "emma.lopez@example.com"), ("password", "Password.123"), ("return", "/account")])
        XCTAssertTrue(login.text.contains("Welcome, Emma Lopez!"))

        let badQty = try await shop.post("/cart/add", [("product_id", "5"), ("color", "Red"), ("qty", "lots")])
        XCTAssertTrue(badQty.text.contains("Please enter a quantity between 1 and 99."))
        let added = try await shop.post("/cart/add", [("product_id", "5"), ("color", "Red"), ("qty", "2")])
        XCTAssertTrue(added.text.contains("to your shopping cart"))
        XCTAssertTrue(added.text.contains("Color: Red"))
        let placed = try await shop.post("/checkout", [("ship_name", "Emma Lopez"), ("ship_street", "1 Test Way"), ("ship_city", "Pittsburgh"),
                                                       ("ship_state", "PA"), ("ship_zip", "15213"), ("ship_phone", "412-555-0100"),
                                                       ("shipping_method", "Express")])
        XCTAssertTrue(placed.text.contains("Your order number is"), placed.text)
        XCTAssertTrue(placed.url.contains("/checkout/success/000000641"))

        // The admin of the same instance sees the order, and can cancel it.
        let adminLogin = try await admin.post("/login", [("username", "admin"), ("password", "admin1234"), ("return", "/orders?q=000000641")])
        XCTAssertTrue(adminLogin.text.contains("000000641"))
        let canceled = try await admin.post("/orders/641/cancel", [])
        XCTAssertTrue(canceled.text.contains("You canceled the order."))
        let db = try await cluster.database(.admin, instance: 1)
        let status = try await db.read { try String.fetchOne($0, sql: "SELECT status FROM orders WHERE id = 641") }
        XCTAssertEqual(status, "canceled")

        // The other instance is untouched.
        let other = try await cluster.database(.shop, instance: 0)
        let count0 = try await other.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM orders") }
        XCTAssertEqual(count0, 640)

        // Reset through the control route: pristine data, sessions gone, well under a second.
        let started = Date()
        let reset = try await WebClient(base: await cluster.baseURL(.admin, instance: 1))
            .post("/__nnetnav/reset", [], headers: [(SiteControlToken.headerName, cluster.controlToken)])
        XCTAssertEqual(reset.status, 200)
        XCTAssertLessThan(Date().timeIntervalSince(started), 1.0)
        let count1 = try await db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM orders") }
        XCTAssertEqual(count1, 640)
        let account = try await shop.get("/account")
        XCTAssertTrue(account.url.contains("/login"), "reset signs everyone out")
    }

    func testReviewModerationFlowsFromShopToAdmin() async throws {
        let cluster = try await StoreClusterFixture.shared.cluster()
        try await cluster.reset(.shop, instance: 1)
        let shop = WebClient(base: await cluster.baseURL(.shop, instance: 1))
        let admin = WebClient(base: await cluster.baseURL(.admin, instance: 1))
        let incomplete = try await shop.post("/product/7/review", [("rating", "5"), ("nickname", "Tess")])
        XCTAssertTrue(incomplete.text.contains("Please choose a rating"))
        let posted = try await shop.post("/product/7/review", [("rating", "2"), ("nickname", "Tess"), ("title", "Wobbly lid"),
                                                               ("body", "The lid does not sit flat.")])
        XCTAssertTrue(posted.text.contains("submitted your review for moderation"))
        XCTAssertFalse(posted.text.contains("Wobbly lid"), "pending reviews are not shown")

        let signedOut = try await admin.get("/reviews")
        XCTAssertTrue(signedOut.url.contains("/login"), "admin pages need sign-in")
        _ = try await admin.post("/login", [("username", "admin"), ("password", "admin1234")])
        let pending = try await admin.get("/reviews?status=pending")
        XCTAssertTrue(pending.text.contains("Wobbly lid"))
        let db = try await cluster.database(.admin, instance: 1)
        let id = try await db.read { try Int.fetchOne($0, sql: "SELECT id FROM review WHERE title = 'Wobbly lid'") }!
        _ = try await admin.post("/reviews/\(id)/approve", [])
        let product = try await shop.get("/product/7")
        XCTAssertTrue(product.text.contains("Wobbly lid"))
    }

    func testAdminEditsAndReports() async throws {
        let cluster = try await StoreClusterFixture.shared.cluster()
        try await cluster.reset(.admin, instance: 1)
        let admin = WebClient(base: await cluster.baseURL(.admin, instance: 1))
        _ = try await admin.post("/login", [("username", "admin"), ("password", "admin1234")])
        let bad = try await admin.post("/products/3", [("price", "free"), ("stock", "5"), ("status", "enabled")])
        XCTAssertTrue(bad.text.contains("Please enter a price"))
        let saved = try await admin.post("/products/3", [("price", "$1,019.50"), ("stock", "7"), ("status", "disabled")])
        XCTAssertTrue(saved.text.contains("You saved the product."))
        let db = try await cluster.database(.admin, instance: 1)
        let row = try db.read { try Row.fetchOne($0, sql: "SELECT price_cents, stock, status FROM product WHERE id = 3") }!
        XCTAssertEqual(row["price_cents"] as Int, 101_950)
        XCTAssertEqual(row["status"] as String, "disabled")
        let shop = WebClient(base: await cluster.baseURL(.shop, instance: 1))
        let hidden = try await shop.get("/product/3")
        XCTAssertEqual(hidden.status, 404, "disabled products leave the storefront")

        let yearly = try await admin.get("/reports/sales?period=year")
        XCTAssertTrue(yearly.text.contains("<td>2022</td>") && yearly.text.contains("<td>2023</td>"))
        let orders = try await admin.get("/orders?status=pending")
        let pending = try await db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM orders WHERE status = 'pending'") }!
        XCTAssertTrue(orders.text.contains("\(pending) records found"))
    }

    func testSeedIsDeterministicAndRealistic() throws {
        let a = try DatabaseQueue()
        let b = try DatabaseQueue()
        let c = try DatabaseQueue()
        try a.write { try StoreSeeder.populate($0, seed: 0) }
        try b.write { try StoreSeeder.populate($0, seed: 0) }
        try c.write { try StoreSeeder.populate($0, seed: 7) }
        func fingerprint(_ q: DatabaseQueue) throws -> [String] {
            try q.read { db in
                try String.fetchAll(db, sql: "SELECT name || price_cents FROM product ORDER BY id")
                    + String.fetchAll(db, sql: "SELECT number || total_cents || created_at FROM orders ORDER BY id")
                    + String.fetchAll(db, sql: "SELECT body FROM review ORDER BY id")
            }
        }
        XCTAssertEqual(try fingerprint(a), try fingerprint(b))
        XCTAssertNotEqual(try fingerprint(a), try fingerprint(c))
        try a.read { db in
            XCTAssertGreaterThanOrEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM product")!, 300)
            XCTAssertGreaterThanOrEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customer")!, 100)
            XCTAssertGreaterThanOrEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM orders")!, 500)
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT name) FROM product"),
                           try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM product"), "product names are unique")
            let years = try String.fetchAll(db, sql: "SELECT DISTINCT substr(created_at, 1, 4) FROM orders ORDER BY 1")
            XCTAssertEqual(years, ["2022", "2023"])
            let lorem = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM review WHERE body LIKE '%lorem%'")
            XCTAssertEqual(lorem, 0)
        }
    }

    func testClusterRejectsBadArgumentsAndUnknownSites() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-bad-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            _ = try await SiteCluster.start(sites: [.shop], instances: 0, dataDirectory: dir)
            XCTFail("zero instances must be refused")
        } catch let error as SiteClusterError {
            XCTAssertTrue(error.description.contains("at least 1"))
        }
    }
}
