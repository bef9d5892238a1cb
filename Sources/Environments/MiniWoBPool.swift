import ChromiumBrowser
import Foundation
import Pipeline
import WebBrowser

/// The explorer's environments over MiniWoB++ task pages: one headless Chromium and one
/// `MiniWoBEnvironment` per instance (each reset loads the task page in a fresh browser context,
/// so there is no site state to restore).
///
/// Sites are named `miniwob/<task>`. Episode `i` starts on `miniwob://<task>?seed=<firstSeed + i>`,
/// whatever instance runs it, so a resumed or sharded crawl replays the same page. As in NNetnav,
/// the task's utterance is only page content (MiniWoB++ shows it above the task); the persona
/// drives the exploration, and the episode ends when the page's task ends.
public final class MiniWoBPool: EnvironmentPool, @unchecked Sendable {
    public static let sitePrefix = "miniwob/"

    public let instanceCount: Int
    public let pages: MiniWoBPages
    public let firstSeed: Int
    private let browser: ChromiumBrowser
    private let environments: [MiniWoBEnvironment]

    public init(browser: ChromiumBrowser, pages: MiniWoBPages, instances: Int, firstSeed: Int) {
        self.browser = browser
        self.pages = pages
        self.firstSeed = firstSeed
        instanceCount = instances
        environments = (0..<instances).map { _ in MiniWoBEnvironment(browser: browser, pages: pages) }
    }

    /// Starts Chromium for `instances` environments.
    public static func launch(pages: MiniWoBPages, instances: Int, firstSeed: Int) async throws -> MiniWoBPool {
        MiniWoBPool(browser: try await ChromiumBrowser.launch(), pages: pages, instances: instances, firstSeed: firstSeed)
    }

    /// The site name of a task, e.g. `miniwob/login-user`.
    public static func site(task: String) -> String { sitePrefix + task }

    /// The task of a `miniwob/<task>` site.
    public static func task(of site: String) throws -> String {
        let task = site.hasPrefix(sitePrefix) ? String(site.dropFirst(sitePrefix.count)) : ""
        guard !task.isEmpty else { throw MiniWoBPoolError.notATaskSite(site) }
        return task
    }

    /// The seed of exploration episode `episode`.
    public func seed(episode: Int) -> Int { firstSeed + episode }

    public func environment(instance: Int) async throws -> any BrowserEnvironment { environments[instance] }

    public func startURL(site: String, instance: Int, episode: Int) async throws -> String {
        let task = try Self.task(of: site)
        _ = try pages.page(for: task)
        return MiniWoBEnvironment.startURL(task: task, seed: seed(episode: episode))
    }

    /// Nothing to restore: the explorer's reset reloads the task page in a new browser context.
    public func resetSite(_ site: String, instance: Int) async throws {}

    /// Stops Chromium.
    public func shutdown() { browser.close() }
}

public enum MiniWoBPoolError: Error, CustomStringConvertible, Sendable {
    case notATaskSite(String)

    public var description: String {
        switch self {
        case .notATaskSite(let site):
            "'\(site)' is not a MiniWoB++ site: name it miniwob/<task>, e.g. miniwob/login-user"
        }
    }
}
