import Foundation

/// What an agent sees after each step: WebArena's `{"text": ...}` observation plus metadata.
public struct Observation: Sendable, Codable, Hashable {
    public struct Tab: Sendable, Codable, Hashable {
        public var title: String
        public var url: String
        public init(title: String, url: String) { self.title = title; self.url = url }
    }

    /// The text shown to a model: tab header, blank line, then the accessibility tree window.
    public var text: String
    public var url: String
    public var title: String
    public var tabs: [Tab]
    public var activeTab: Int
    /// Error produced by the previous action ("no matching element", refused host, HTTP 404...).
    public var error: String?
    /// HTTP status of the page load that produced this page (0 for non-HTTP pages).
    public var status: Int
    /// Which window of the tree is shown (scrolling moves it) and how many there are.
    public var viewportIndex: Int
    public var viewportCount: Int

    public init(text: String, url: String, title: String, tabs: [Tab], activeTab: Int, error: String? = nil,
                status: Int = 200, viewportIndex: Int = 0, viewportCount: Int = 1) {
        self.text = text
        self.url = url
        self.title = title
        self.tabs = tabs
        self.activeTab = activeTab
        self.error = error
        self.status = status
        self.viewportIndex = viewportIndex
        self.viewportCount = viewportCount
    }
}

/// The contract between an agent (explorer, evaluated policy) and a browser backend,
/// shaped after WebArena's `ScriptBrowserEnv`: reset to a start URL, then step with actions.
///
/// `step` never throws for a bad action: errors travel inside the next observation, as the
/// model must see them. It throws only when the environment itself is unusable.
public protocol BrowserEnvironment: AnyObject, Sendable {
    func reset(startURL: String) async throws -> Observation
    func step(_ action: BrowserAction) async throws -> Observation
    /// WebArena's `action2str`: the action plus what the element was, for histories and summaries,
    /// e.g. "click [12] where [12] is link 'Sign in'". Uses the observation the action was taken on.
    func describe(_ action: BrowserAction) -> String
    /// The current page's HTML source (evaluators check page content).
    func currentHTML() async -> String?
    /// Set once the page's own task has ended (MiniWoB++), so an episode can stop there; nil while
    /// it runs and for pages without a task (the default).
    var pageTaskResult: PageTaskResult? { get }
}
