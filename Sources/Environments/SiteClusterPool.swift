import ChromiumBrowser
import Foundation
import Pipeline
import WebBrowser
import WebSites

/// The explorer's environments over running bundled sites: instance `i` of the cluster gets one
/// browser of the chosen backend, which may visit only that instance's sites. Chromium
/// environments share one headless Chromium, each in its own browser context.
public final class SiteClusterPool: EnvironmentPool, @unchecked Sendable {
    public let cluster: SiteCluster
    public let instanceCount: Int
    private let environments: [any BrowserEnvironment]
    private let chromium: ChromiumBrowser?

    public init(cluster: SiteCluster, backend: BrowserBackend = .native, viewportLines: Int = 60) async throws {
        self.cluster = cluster
        instanceCount = await cluster.instances
        switch backend {
        case .native:
            var browsers: [BrowserSession] = []
            for i in 0..<instanceCount {
                let prefixes = Array(await cluster.baseURLs(instance: i).values)
                browsers.append(BrowserSession(configuration: BrowserConfiguration(allowedURLPrefixes: prefixes,
                                                                                   viewportLines: viewportLines)))
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

    /// Stops Chromium, if this pool started one.
    public func shutdown() { chromium?.close() }
}
