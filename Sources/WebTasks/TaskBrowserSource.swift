import WebBrowser

/// Where a task's browser comes from: a fresh one per task (no cookies, one tab), which the task's
/// runner closes when the task is scored. The browser backend is chosen by choosing the source.
public protocol TaskBrowserSource: Sendable {
    /// A fresh browser for one task on the site instance whose base URLs are `allowedURLPrefixes`.
    func makeBrowser(allowedURLPrefixes: [String]) async throws -> any ScriptableBrowser
}

/// Native `BrowserSession`s, confined to the task's site instance so an episode cannot wander
/// onto another instance's (or the internet's) pages.
public struct NativeBrowserSource: TaskBrowserSource {
    public var configuration: BrowserConfiguration

    public init(configuration: BrowserConfiguration = BrowserConfiguration()) {
        self.configuration = configuration
    }

    public func makeBrowser(allowedURLPrefixes: [String]) async throws -> any ScriptableBrowser {
        var configuration = configuration
        configuration.allowedURLPrefixes = allowedURLPrefixes
        return BrowserSession(configuration: configuration)
    }
}
