import XCTest
@testable import WebBrowser

/// Windows cut to a reader's budget: every line of the page in exactly one window, no window over
/// the budget, and scrolling that shows all of it. The defect: 60-line windows overflowed a 1,024-token
/// student row, and lines ~45–60 of every window were cut from every prompt.
final class ViewportBudgetTests: XCTestCase {
    /// Bytes as the cost: any counter works, the contract is the same.
    static func bytes(_ limit: Int) -> ViewportBudget { ViewportBudget(limit: limit, unit: "bytes") { $0.utf8.count } }

    static func tree(lines: Int) -> RenderedTree {
        RenderedTree(lines: [.init(id: 1, depth: 0, text: "[1] RootWebArea 'Shop'")]
            + (0..<lines).map { .init(id: $0 + 2, depth: 1 + $0 % 3, text: "[\($0 + 2)] link 'Product number \($0) \(String(repeating: "x", count: $0 % 17))'") })
    }

    func testWindowsCoverEveryLineOnceAndStayWithinTheBudget() {
        for (count, limit, size) in [(0, 200, 60), (1, 200, 60), (250, 600, 60), (250, 600, 7), (250, 100_000, 60), (40, 40, 0)] {
            let tree = Self.tree(lines: count)
            let budget = Self.bytes(limit)
            let windows = tree.windows(size: size, budget: budget, reserved: 30)
            XCTAssertEqual(windows.flatMap { Array($0) }, Array(1..<max(1, tree.lines.count)), "\(count) lines, limit \(limit)")
            for window in windows where window.count > 1 {
                XCTAssertLessThanOrEqual(budget.cost(tree.text(lines: window)), limit, "\(window)")
                if size > 0 { XCTAssertLessThanOrEqual(window.count, size) }
            }
            // Greedy: a window ends only when the next line would not fit.
            for (window, next) in zip(windows, windows.dropFirst()) where size <= 0 || window.count < size {
                XCTAssertGreaterThan(budget.cost(tree.text(lines: window.lowerBound..<next.lowerBound + 1)) + 30, limit)
            }
        }
    }

    func testALineLongerThanTheBudgetGetsAWindowOfItsOwn() {
        let tree = RenderedTree(lines: [.init(id: 1, depth: 0, text: "[1] RootWebArea ''"),
                                        .init(id: 2, depth: 1, text: "[2] StaticText '\(String(repeating: "long ", count: 100))'"),
                                        .init(id: 3, depth: 1, text: "[3] link 'a'")])
        XCTAssertEqual(tree.windows(size: 60, budget: Self.bytes(50)), [1..<2, 2..<3])
    }

    func testWithoutABudgetWindowsAreFixedLineCounts() {
        let tree = Self.tree(lines: 11)
        XCTAssertEqual(tree.windows(size: 5, budget: nil), [1..<6, 6..<11, 11..<12])
        XCTAssertEqual(tree.windowCount(size: 5), 3)
        XCTAssertEqual(tree.text(window: 2, size: 5), tree.text(lines: 11..<12))
        XCTAssertEqual(tree.text(window: 9, size: 5), "[1] RootWebArea 'Shop'", "past the end: the root line only")
        XCTAssertEqual(tree.windows(size: 0, budget: nil), [1..<12])
    }

    /// Through the browser: scrolling from top to bottom shows every line of the page once, and
    /// every observation (tab header, root line and window) fits the budget.
    func testScrollingABudgetedSessionShowsEveryLineWithinTheBudget() async throws {
        try await LoopbackSite.with { site in
            let port = await site.port
            let budget = Self.bytes(420)
            let browser = BrowserSession(configuration: BrowserConfiguration(
                allowedURLPrefixes: ["127.0.0.1:\(port)"], viewportLines: 60, viewportBudget: budget, timeout: 5))
            var observation = try await browser.reset(startURL: await site.baseURL + "/")
            let whole = BrowserSession(configuration: BrowserConfiguration(allowedURLPrefixes: ["127.0.0.1:\(port)"], viewportLines: 0, timeout: 5))
            let all = try await whole.reset(startURL: await site.baseURL + "/").text.split(separator: "\n").dropFirst(2)
            XCTAssertGreaterThan(observation.viewportCount, 2, "the page is longer than one budgeted window")
            var seen: [Substring] = []
            for index in 0..<observation.viewportCount {
                XCTAssertEqual(observation.viewportIndex, index)
                XCTAssertLessThanOrEqual(budget.cost(observation.text), budget.limit, observation.text)
                seen += observation.text.split(separator: "\n").dropFirst(2)
                observation = try await browser.step(.scroll(.down))
            }
            XCTAssertEqual(observation.viewportIndex, observation.viewportCount - 1, "scrolling stops at the last window")
            XCTAssertEqual(seen, Array(all), "every line below the root, once, in order")
        }
    }
}
