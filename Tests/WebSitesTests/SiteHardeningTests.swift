import Foundation
import HTTPTransport
import XCTest
@testable import WebSites

/// Hostile request values and the control routes (issue 14 items 2 and 10).
final class SiteHardeningTests: XCTestCase {
    static let hugePages = ["9223372036854775807", "9223372036854775808", "4611686018427387904", "100001"]

    func testOutOfRangePageNumbersAreRefusedAndTheServerKeepsServing() async throws {
        let cluster = try await StoreClusterFixture.shared.cluster()
        let shop = WebClient(base: await cluster.baseURL(.shop))
        let admin = WebClient(base: await cluster.baseURL(.admin))
        _ = try await shop.post("/login", [("email", "emma.lopez@example.com"), ("password", "Password.123")])
        _ = try await admin.post("/login", [("username", "admin"), ("password", "admin1234")])
        let forum = try await SiteUnderTest.start(ForumSite.definition)
        defer { forum.shutdown() }

        let listings: [(WebClient, String)] = [
            (shop, "/category/cookware?page="), (shop, "/search?q=coffee&page="), (shop, "/account/orders?page="),
            (admin, "/products?page="), (admin, "/customers?page="), (admin, "/reviews?page="), (admin, "/orders?page="),
            (WebClient(base: forum.baseURL), "/?page="), (WebClient(base: forum.baseURL), "/search?q=the&page="),
        ]
        for (client, path) in listings {
            for page in Self.hugePages {
                let response = try await client.get(path + page)
                XCTAssertEqual(response.status, 400, "\(path)\(page)")
            }
            let negative = try await client.get(path + "-9223372036854775808")
            XCTAssertEqual(negative.status, 200, "\(path) below 1 means the first page")
            let last = try await client.get(path + "\(FormData.maxPageNumber)")
            XCTAssertEqual(last.status, 200, "\(path) the largest accepted page still renders")
        }
        for query in ["max_price=1e308", "min_price=-1e308", "max_price=nan", "max_price=9223372036854775807"] {
            let response = try await shop.get("/search?q=coffee&\(query)")
            XCTAssertEqual(response.status, 200, query)
        }
        let alive = try await shop.get("/")
        XCTAssertEqual(alive.status, 200, "the server survived every request")
    }

    func testAdminRefusesStockThatWouldOverflowRestocking() async throws {
        let cluster = try await StoreClusterFixture.shared.cluster()
        let admin = WebClient(base: await cluster.baseURL(.admin))
        _ = try await admin.post("/login", [("username", "admin"), ("password", "admin1234")])
        let saved = try await admin.post("/products/5", [("price", "10"), ("stock", "9223372036854775807"), ("status", "enabled")])
        XCTAssertTrue(saved.text.contains("Please enter a quantity from 0 to 1,000,000."), saved.text)
    }

    func testResetAnswersOnlyRequestsCarryingThisProcessToken() async throws {
        let cluster = try await StoreClusterFixture.shared.cluster()
        let client = WebClient(base: await cluster.baseURL(.shop, instance: 1))
        let bare = try await client.post("/__nnetnav/reset", [])
        XCTAssertEqual(bare.status, 403, "a page's form POST (no header) cannot reset the sites")
        let wrong = try await client.post("/__nnetnav/reset", [], headers: [(SiteControlToken.headerName, String(repeating: "0", count: 64))])
        XCTAssertEqual(wrong.status, 403)
        let right = try await client.post("/__nnetnav/reset", [], headers: [(SiteControlToken.headerName, cluster.controlToken)])
        XCTAssertEqual(right.status, 200)

        XCTAssertEqual(cluster.controlToken.count, 64)
        let file = SiteControlToken.file(in: cluster.dataDirectory)
        XCTAssertEqual(SiteControlToken.read(from: file), cluster.controlToken, "env reset finds the token next to the data")
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600, "only the owner may read the token")
    }

    func testLoopbackPeersAreRecognisedExactly() {
        XCTAssertTrue(SiteRequestContext.isLoopback("127.0.0.1"))
        XCTAssertTrue(SiteRequestContext.isLoopback("::1"))
        XCTAssertTrue(SiteRequestContext.isLoopback("::ffff:127.0.0.1"))
        XCTAssertFalse(SiteRequestContext.isLoopback("10.0.0.1"))
        XCTAssertFalse(SiteRequestContext.isLoopback("1127.0.0.1"))
        XCTAssertFalse(SiteRequestContext.isLoopback(nil))
    }
}
