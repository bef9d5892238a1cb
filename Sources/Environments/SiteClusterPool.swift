import ChromiumBrowser
import Foundation
import Pipeline
import WebBrowser
import WebSites
import WebTasks

/// The explorer's environments over running bundled sites: instance `i` of the cluster gets one
/// browser of the chosen backend, which may visit only that instance's sites. Chromium
/// environments share one headless Chromium, each in its own browser context.
public final class SiteClusterPool: EnvironmentPool, @unchecked Sendable {
    public let cluster: SiteCluster
    public let instanceCount: Int
    private let environments: [any ScriptableBrowser]
    private let chromium: ChromiumBrowser?

    /// `viewportBudget` sizes native windows to a reader's prompt (the student's, in the main job), so a
    /// crawl's observations export to rows that show each window whole.
    public init(cluster: SiteCluster, backend: BrowserBackend = .native, viewportLines: Int = 60,
                viewportBudget: ViewportBudget? = nil) async throws {
        self.cluster = cluster
        instanceCount = cluster.instances
        switch backend {
        case .native:
            var browsers: [BrowserSession] = []
            for i in 0..<instanceCount {
                let prefixes = Array(await cluster.baseURLs(instance: i).values)
                browsers.append(BrowserSession(configuration: BrowserConfiguration(allowedURLPrefixes: prefixes,
                                                                                   viewportLines: viewportLines,
                                                                                   viewportBudget: viewportBudget)))
            }
            environments = browsers
            chromium = nil
        case .chromium:
            let browser = try await ChromiumBrowser.launch()
            var chromiumEnvironments: [ChromiumEnvironment] = []
            for i in 0..<instanceCount {
                // Each instance's browser context may load only that instance's sites.
                let prefixes = Array(await cluster.baseURLs(instance: i).values)
                chromiumEnvironments.append(browser.makeEnvironment(allowlist: URLAllowlist(prefixes: prefixes)))
            }
            environments = chromiumEnvironments
            chromium = browser
        }
    }

    public func environment(instance: Int) async throws -> any BrowserEnvironment { environments[instance] }

    public func startURL(site: String, instance: Int, episode: Int) async throws -> String {
        await cluster.baseURL(try SiteName(parsing: site), instance: instance) + "/"
    }

    public func resetSite(_ site: String, instance: Int) async throws {
        // The browser's own reset (by the explorer, at episode start) clears its cookies.
        try await cluster.reset(try SiteName(parsing: site), instance: instance)
    }

    /// Signs in through the site's own login form, as the evaluation harness does for tasks.
    public func signIn(site: String, instance: Int, persona: Persona) async throws -> String? {
        let name = try SiteName(parsing: site)
        guard let account = persona.account ?? SiteAccounts.defaultAccount(for: name) else { return nil }
        try await SiteAccounts.signIn(account, site: name, browser: environments[instance],
                                      baseURLs: await cluster.baseURLs(instance: instance))
        return account
    }

    public func urlMap(instance: Int) async throws -> SiteURLMap {
        SiteURLMap(localBases: Dictionary(uniqueKeysWithValues: await cluster.baseURLs(instance: instance)
            .map { ($0.key.rawValue, $0.value) }))
    }

    /// Stops Chromium, if this pool started one.
    public func shutdown() { chromium?.close() }
}
