import Foundation

/// At most one request start per host every `interval` seconds (politeness on the open web):
/// `waitTurn(for:)` returns when the caller may go, reserving its slot first so concurrent
/// callers for one host queue up instead of all going at once.
public actor HostRateLimiter {
    public let interval: Double
    private var nextSlot: [String: ContinuousClock.Instant] = [:]
    private let clock = ContinuousClock()

    public init(interval: Double) { self.interval = max(0, interval) }

    /// Waits for `host`'s next slot; `minimumInterval` (a robots.txt crawl-delay) lengthens the gap.
    public func waitTurn(for host: String, minimumInterval: Double = 0) async throws {
        let key = host.lowercased()
        let gap = max(interval, minimumInterval)
        let now = clock.now
        let slot = max(now, nextSlot[key] ?? now)
        nextSlot[key] = slot.advanced(by: .milliseconds(Int64((gap * 1000).rounded())))
        if slot > now { try await clock.sleep(until: slot) }
    }
}
