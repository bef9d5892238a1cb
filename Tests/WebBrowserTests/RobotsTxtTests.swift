import Foundation
import HTTPServer
import XCTest
@testable import WebBrowser
import TestSupport

/// robots.txt as RFC 9309 reads it, the per-host rate limit, and the policy fetching robots.txt
/// from a loopback server.
final class RobotsTxtTests: XCTestCase {
    static let sample = """
        # A site's rules
        User-agent: *
        Disallow: /private/
        Allow: /private/press/
        Disallow: /*.pdf$
        Disallow: /search
        Crawl-delay: 0.2

        User-agent: BadBot
        User-agent: nnetnav-live   # named for us: only this group applies
        Disallow: /cart
        Allow: /cart/help$
        Disallow: /accounts/*/settings

        User-agent: OtherBot
        Disallow: /

        Sitemap: https://example.com/sitemap.xml
        """

    func testGroupsAndUserAgentMatching() {
        let robots = RobotsTxt(parsing: Self.sample)
        XCTAssertEqual(robots.groups.count, 3)
        XCTAssertEqual(robots.groups[1].agents, ["badbot", "nnetnav-live"], "consecutive user-agent lines share a group")
        // Our own group applies, case-insensitively, and the * group does not.
        let ours = "NNetnav-Live/1.0 (+https://github.com/nnetnav)"
        XCTAssertTrue(robots.allows("/private/x", userAgent: ours))
        XCTAssertFalse(robots.allows("/cart", userAgent: ours))
        XCTAssertFalse(robots.allows("/cart/checkout", userAgent: ours))
        XCTAssertTrue(robots.allows("/cart/help", userAgent: ours), "the longer allow wins")
        XCTAssertFalse(robots.allows("/cart/help/more", userAgent: ours), "$ anchors the end")
        XCTAssertFalse(robots.allows("/accounts/42/settings", userAgent: ours), "* spans a segment")
        XCTAssertTrue(robots.allows("/accounts/42/profile", userAgent: ours))
        XCTAssertNil(robots.crawlDelay(for: ours))
        // Any other agent gets the * group.
        let other = "SomeCrawler/2"
        XCTAssertFalse(robots.allows("/private/a", userAgent: other))
        XCTAssertTrue(robots.allows("/private/press/release", userAgent: other), "longest match: allow is longer")
        XCTAssertFalse(robots.allows("/docs/manual.pdf", userAgent: other))
        XCTAssertTrue(robots.allows("/docs/manual.pdf?download=1", userAgent: other), "$: the pdf must end the path")
        XCTAssertFalse(robots.allows("/search?q=shoes", userAgent: other), "rules see the query too")
        XCTAssertFalse(robots.allows("/searching", userAgent: other), "a rule is a prefix, not a segment")
        XCTAssertTrue(robots.allows("/", userAgent: other))
        XCTAssertTrue(robots.allows("/robots.txt", userAgent: "OtherBot"), "robots.txt itself is always allowed")
        XCTAssertFalse(robots.allows("/anything", userAgent: "OtherBot/1.0"))
        XCTAssertEqual(robots.crawlDelay(for: other), 0.2)
    }

    func testTiesEmptyRulesAndEncoding() {
        let robots = RobotsTxt(parsing: """
            Disallow: /before-any-group
            user-agent: *
            disallow: /page
            allow: /page
            disallow:
            disallow: /caf%c3%a9
            """)
        XCTAssertTrue(robots.allows("/page", userAgent: "x"), "on a tie allow wins")
        XCTAssertTrue(robots.allows("/before-any-group", userAgent: "x"), "rules outside a group are ignored")
        XCTAssertFalse(robots.allows("/café", userAgent: "x"))
        XCTAssertFalse(robots.allows(url: "https://e.example/caf%C3%A9/menu", userAgent: "x"))
        XCTAssertTrue(robots.allows("/anything-else", userAgent: "x"), "an empty disallow is no rule")
        XCTAssertTrue(RobotsTxt(parsing: "").allows("/x", userAgent: "x"))
        XCTAssertTrue(RobotsTxt(parsing: "User-agent: other\nDisallow: /").allows("/x", userAgent: "x"), "no group for us, no *: all allowed")
        XCTAssertTrue(RobotsTxt.matches("/a*b*c$", "/aXbYc"))
        XCTAssertFalse(RobotsTxt.matches("/a*b*c$", "/aXbYcZ"))
        // A pathological pattern stays fast (no exponential backtracking).
        let long = String(repeating: "a", count: 5_000)
        XCTAssertFalse(RobotsTxt.matches("/" + String(repeating: "*a", count: 200) + "b", "/" + long))
    }

    func testTheRateLimitSpacesRequestsToOneHost() async throws {
        let limiter = HostRateLimiter(interval: 0.15)
        let clock = ContinuousClock()
        let start = clock.now
        var times: [Duration] = []
        for _ in 0..<3 {
            try await limiter.waitTurn(for: "Shop.Example")
            times.append(clock.now - start)
        }
        try await limiter.waitTurn(for: "other.example")
        let other = clock.now - start
        XCTAssertLessThan(times[0], .milliseconds(100), "the first request goes at once")
        XCTAssertGreaterThanOrEqual(times[1], .milliseconds(145))
        XCTAssertGreaterThanOrEqual(times[2], .milliseconds(295))
        XCTAssertLessThan(other - times[2], .milliseconds(100), "another host does not wait for this one")
        // A crawl-delay longer than the interval wins.
        let slow = HostRateLimiter(interval: 0.01)
        try await slow.waitTurn(for: "h", minimumInterval: 0.2)
        let t0 = clock.now
        try await slow.waitTurn(for: "h", minimumInterval: 0.2)
        XCTAssertGreaterThanOrEqual(clock.now - t0, .milliseconds(190))
    }

    func testThePolicyFetchesRobotsTxtOncePerOriginAndSendsItsUserAgent() async throws {
        let agents = Agents()
        let router = Router()
        router.get("robots.txt") { request, _ -> Response in
            await agents.add(request.headers[.userAgent] ?? "")
            return Response(status: .ok, body: .init(string: "User-agent: *\nDisallow: /private\n"))
        }
        try await LoopbackHTTPServer.with(router: router, label: "robots") { port in
            let policy = RobotsPolicy(userAgent: "nnetnav-live/1.0 (+https://github.com/nnetnav; research crawler)")
            let base = "http://127.0.0.1:\(port)"
            let allowedPublic = await policy.allows(base + "/public/page")
            let allowedPrivate = await policy.allows(base + "/private/page")
            XCTAssertTrue(allowedPublic)
            XCTAssertFalse(allowedPrivate)
            let seen = await agents.all
            XCTAssertEqual(seen, ["nnetnav-live/1.0 (+https://github.com/nnetnav; research crawler)"], "fetched once, with the descriptive user agent")
        }
        // 4xx: everything allowed; 5xx or unreachable: nothing (RFC 9309).
        let missing = RobotsPolicy(userAgent: "x") { _ in (404, "") }
        let broken = RobotsPolicy(userAgent: "x") { _ in (503, "") }
        let unreachable = RobotsPolicy(userAgent: "x") { _ in nil }
        let m = await missing.allows("http://a.example/x")
        let b = await broken.allows("http://a.example/x")
        let u = await unreachable.allows("http://a.example/x")
        XCTAssertEqual([m, b, u], [true, false, false])
    }

    actor Agents {
        var all: [String] = []
        func add(_ a: String) { all.append(a) }
    }
}
