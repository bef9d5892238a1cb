import Foundation

/// A fixed number of Chromium environments (one browser context each, one shared browser) lent
/// to parallel episodes. A browser that died is relaunched on the next loan; every loan starts
/// with the environment's next `reset`, which creates a fresh context, so a hung or crashed
/// episode never affects the next one.
public actor ChromiumPool {
    public let size: Int
    private let configuration: ChromiumBrowser.Configuration
    private var browser: ChromiumBrowser?
    private var idle: [ChromiumEnvironment] = []
    private var lent = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init(size: Int, configuration: ChromiumBrowser.Configuration = ChromiumBrowser.Configuration()) {
        self.size = max(1, size)
        self.configuration = configuration
    }

    /// Runs `body` with an environment of its own; waits while all `size` are in use.
    public func withEnvironment<T: Sendable>(_ body: @Sendable (ChromiumEnvironment) async throws -> T) async throws -> T {
        let environment = try await checkOut()
        do {
            let result = try await body(environment)
            await checkIn(environment)
            return result
        } catch {
            await checkIn(environment)
            throw error
        }
    }

    private func checkOut() async throws -> ChromiumEnvironment {
        while lent >= size {
            await withCheckedContinuation { waiters.append($0) }
        }
        lent += 1
        do {
            let browser = try await liveBrowser()
            if let environment = idle.popLast() { return environment }
            return browser.makeEnvironment()
        } catch {
            lent -= 1
            wakeOne()
            throw error
        }
    }

    private func checkIn(_ environment: ChromiumEnvironment) async {
        // Closing the context frees its renderers now rather than at the next loan.
        await environment.close()
        lent -= 1
        if let browser, browser.isAlive, environment.session.browser === browser { idle.append(environment) }
        wakeOne()
    }

    private func wakeOne() {
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }

    private func liveBrowser() async throws -> ChromiumBrowser {
        if let browser, browser.isAlive { return browser }
        browser?.close()
        idle.removeAll()
        let launched = try await ChromiumBrowser.launch(configuration)
        browser = launched
        return launched
    }

    /// Ends the browser; environments still lent fail on their next call.
    public func shutdown() {
        browser?.close()
        browser = nil
        idle.removeAll()
    }
}
