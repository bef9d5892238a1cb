import ChromiumBrowser
import WebBrowser
import WebTasks

// Here rather than in either module: WebTasks and ChromiumBrowser do not depend on each other.
// `currentURL`, `elementIDs(role:name:)` and `close()` are ChromiumEnvironment's own.
extension ChromiumEnvironment: ScriptableBrowser {
    public func text(_ locator: TextLocator) async throws -> String? {
        switch locator {
        case .page:
            return try await renderedText(selector: nil)
        case .selector(let css):
            return try await renderedText(selector: css)
        case .accessibilityNode(let role, let name):
            guard let id = await elementIDs(role: role, name: name).first else { return nil }
            return try await renderedText(elementID: id)
        }
    }
}

/// One headless Chromium for a whole evaluation; each task gets its own browser context
/// (its own cookies and tabs), closed by the task's runner.
public struct ChromiumBrowserSource: TaskBrowserSource {
    public let browser: ChromiumBrowser

    public init(browser: ChromiumBrowser) { self.browser = browser }

    /// Confined to the task's site instance, as the native browser is.
    public func makeBrowser(allowedURLPrefixes: [String]) async throws -> any ScriptableBrowser {
        browser.makeEnvironment(allowlist: URLAllowlist(prefixes: allowedURLPrefixes))
    }
}
