import Foundation
import Pipeline
import WebBrowser
import WebSites

/// The explorer's environments over running bundled sites: instance `i` of the cluster gets one
/// browser, allowed to visit only that instance's sites.
public final class SiteClusterPool: EnvironmentPool, @unchecked Sendable {
    public let cluster: SiteCluster
    public let instanceCount: Int
    private let browsers: [BrowserSession]

    public init(cluster: SiteCluster, viewportLines: Int = 60) async {
        self.cluster = cluster
        instanceCount = await cluster.instances
        var browsers: [BrowserSession] = []
        for i in 0..<instanceCount {
            let prefixes = Array(await cluster.baseURLs(instance: i).values)
            browsers.append(BrowserSession(configuration: BrowserConfiguration(allowedURLPrefixes: prefixes,
                                                                               viewportLines: viewportLines)))
        }
        self.browsers = browsers
    }

    public func environment(instance: Int) async throws -> any BrowserEnvironment { browsers[instance] }

    public func startURL(site: String, instance: Int) async throws -> String {
        await cluster.baseURL(try Self.siteName(site), instance: instance) + "/"
    }

    public func resetSite(_ site: String, instance: Int) async throws {
        // The browser's own reset (by the explorer, at episode start) clears its cookies.
        try await cluster.reset(try Self.siteName(site), instance: instance)
    }

    static func siteName(_ site: String) throws -> SiteName {
        guard let name = SiteName(rawValue: site) else {
            throw SiteClusterError.invalidArgument("unknown site '\(site)'; bundled sites: "
                + SiteName.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return name
    }
}
