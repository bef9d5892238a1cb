import ChromiumBrowser
import Foundation
import WebBrowser
import WebTasks

/// One headless Chromium for a whole evaluation; each task gets its own browser context
/// (its own cookies and tabs), closed by the task's runner. A Chromium that died (a crash, an
/// out-of-memory kill) is started again for the next task, so one crash costs one task, not the
/// rest of the evaluation.
public final class ChromiumBrowserSource: TaskBrowserSource, @unchecked Sendable {
    private let configuration: ChromiumBrowser.Configuration
    private let lock = NSLock()
    private var current: ChromiumBrowser
    /// How many times Chromium was started again.
    public private(set) var relaunches = 0

    public init(browser: ChromiumBrowser) {
        current = browser
        configuration = browser.configuration
    }

    /// The browser tasks currently get.
    public var browser: ChromiumBrowser { lock.withLock { current } }

    /// Confined to the task's site instance, as the native browser is.
    public func makeBrowser(allowedURLPrefixes: [String]) async throws -> any ScriptableBrowser {
        try await liveBrowser().makeEnvironment(allowlist: URLAllowlist(prefixes: allowedURLPrefixes))
    }

    private func liveBrowser() async throws -> ChromiumBrowser {
        let browser = self.browser
        if browser.isAlive { return browser }
        let replacement = try await ChromiumBrowser.launch(configuration)
        return lock.withLock {
            // Another worker may have relaunched it meanwhile: keep theirs, close ours.
            if current.isAlive {
                replacement.close()
                return current
            }
            current = replacement
            relaunches += 1
            return replacement
        }
    }

    /// Closes the current browser.
    public func close() { browser.close() }
}
