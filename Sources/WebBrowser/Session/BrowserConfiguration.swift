import Foundation

/// How a `BrowserSession` may browse: where it may go, how long it waits, how much it reads,
/// and how much of a page one observation shows.
public struct BrowserConfiguration: Sendable {
    /// Where navigation may go (see `URLAllowlist`); everything else is refused before any
    /// request is made. Empty means any http(s) URL.
    public var allowedURLPrefixes: [String]
    /// `file://` URLs are refused unless this is set.
    public var allowFileURLs: Bool
    /// Tree lines per observation window (below the root line); `scroll` moves by one window.
    /// Zero or less shows the whole page.
    public var viewportLines: Int
    /// When set, a window also ends before its text (with the tab header and root line) would cost
    /// more than the budget: the viewport is sized to the reader's prompt (see `ViewportBudget`).
    public var viewportBudget: ViewportBudget?
    /// Whole-request timeout in seconds.
    public var timeout: TimeInterval
    public var connectTimeout: TimeInterval
    /// Responses larger than this are refused with an error observation.
    public var maxBodyBytes: Int
    public var maxRedirects: Int
    public var userAgent: String
    /// Whether the page's `<style>` sheets decide `display` and `visibility` (`StyleCascade`), as
    /// in browsers; off leaves only the `style` attribute (the agreement bench's comparison).
    public var applyStyleSheets = true

    public init(allowedURLPrefixes: [String] = [], allowFileURLs: Bool = false, viewportLines: Int = 60,
                viewportBudget: ViewportBudget? = nil,
                timeout: TimeInterval = 15, connectTimeout: TimeInterval = 5, maxBodyBytes: Int = 8 << 20,
                maxRedirects: Int = 10, userAgent: String = "nnetnav/0.1 (headless; no JavaScript)") {
        self.allowedURLPrefixes = allowedURLPrefixes
        self.allowFileURLs = allowFileURLs
        self.viewportLines = viewportLines
        self.viewportBudget = viewportBudget
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxBodyBytes = maxBodyBytes
        self.maxRedirects = maxRedirects
        self.userAgent = userAgent
    }

    /// The allowlist these settings describe.
    public var allowlist: URLAllowlist { URLAllowlist(prefixes: allowedURLPrefixes, allowFileURLs: allowFileURLs) }

    /// Why `url` may not be opened, or nil when it may.
    public func refusal(for url: String) -> String? { allowlist.refusal(for: url) }
}
