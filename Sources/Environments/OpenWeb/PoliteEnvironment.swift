import Foundation
import WebBrowser

/// A browser environment that waits its turn per host before anything that may load a page, and
/// stops loading pages of a host once the run's page budget for it is spent (the action is then
/// not executed and the observation says why). Page refusals by domain and robots.txt are the
/// wrapped browser's own (its `URLAllowlist`).
public final class PoliteEnvironment: BrowserEnvironment, @unchecked Sendable {
    public let base: any BrowserEnvironment
    let limiter: HostRateLimiter
    let budget: PageBudget
    let robots: RobotsPolicy
    private let lock = NSLock()
    private var last: Observation?

    init(base: any BrowserEnvironment, limiter: HostRateLimiter, budget: PageBudget, robots: RobotsPolicy) {
        self.base = base
        self.limiter = limiter
        self.budget = budget
        self.robots = robots
    }

    static func host(_ url: String) -> String { URLComponents(string: url)?.host?.lowercased() ?? "" }

    /// Whether an action may load a page.
    static func mayLoad(_ action: BrowserAction) -> Bool {
        switch action {
        case .scroll, .hover, .stop, .tabFocus, .invalid, .closeTab, .newTab: false
        default: true
        }
    }

    public func reset(startURL: String) async throws -> Observation {
        let host = Self.host(startURL)
        if await budget.isSpent(host) { throw PageBudget.Spent(host: host, limit: budget.limit ?? 0) }
        try await limiter.waitTurn(for: host, minimumInterval: await robots.knownCrawlDelay(for: startURL) ?? 0)
        let observation = try await base.reset(startURL: startURL)
        await budget.count(observation.url)
        lock.withLock { last = observation }
        return observation
    }

    public func step(_ action: BrowserAction) async throws -> Observation {
        let current = lock.withLock { last }
        // The host the action loads from: a goto's target, else the page's own.
        var target = current?.url ?? ""
        if case .goto(let url) = action { target = url }
        let host = Self.host(target)
        if Self.mayLoad(action) {
            if await budget.isSpent(host), var refused = current {
                refused.error = "not done: the page budget for \(host) is spent (--max-pages \(budget.limit ?? 0))"
                return refused
            }
            try await limiter.waitTurn(for: host, minimumInterval: await robots.knownCrawlDelay(for: target) ?? 0)
        }
        let observation = try await base.step(action)
        if observation.url != current?.url { await budget.count(observation.url) }
        lock.withLock { last = observation }
        return observation
    }

    public func describe(_ action: BrowserAction) -> String { base.describe(action) }
    public func currentHTML() async -> String? { await base.currentHTML() }
    public var pageTaskResult: PageTaskResult? { base.pageTaskResult }
}

/// Page loads per host over a run, against `--max-pages`.
public actor PageBudget {
    public struct Spent: Error, CustomStringConvertible {
        public let host: String
        public let limit: Int
        public var description: String { "the page budget for \(host) is spent (--max-pages \(limit))" }
    }

    public nonisolated let limit: Int?
    public private(set) var loads: [String: Int] = [:]

    public init(limit: Int?) { self.limit = limit }

    func count(_ url: String) {
        let host = PoliteEnvironment.host(url)
        guard !host.isEmpty else { return }
        loads[host, default: 0] += 1
    }

    func isSpent(_ host: String) -> Bool {
        guard let limit else { return false }
        return loads[host, default: 0] >= limit
    }
}
