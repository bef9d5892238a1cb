import ChromiumBrowser
import Foundation
import Pipeline
import WebBrowser

/// Environments for exploring live websites (NNetnav-Live) in headless Chromium: each episode may
/// load documents only from its start URL's host (and its `www.` twin) where that host's
/// robots.txt allows the crawler, pages' images, styles and scripts from anywhere; requests wait
/// their turn per host; a run loads at most `maxPages` pages per host. Nothing is reset (the web
/// cannot be) and nothing is signed in to.
public final class OpenWebPool: EnvironmentPool, @unchecked Sendable {
    public let startList: OpenWebStartList
    public let politeness: OpenWebPoliteness
    public let instanceCount: Int
    public let robots: RobotsPolicy
    public let budget: PageBudget
    private let chromium: ChromiumBrowser
    private let owned: Bool
    private let chromiumEnvironments: [ChromiumEnvironment]
    private let environments: [PoliteEnvironment]

    public enum Refusal: Error, CustomStringConvertible {
        case unknownSite(String)
        case startDisallowed(String)
        public var description: String {
            switch self {
            case .unknownSite(let s): return "\(s) is not in the start URL list"
            case .startDisallowed(let u): return "robots.txt disallows the start URL \(u) for this crawler; remove it from the list"
            }
        }
    }

    /// Over a running Chromium (which should send `politeness.userAgent`; `launch` sees to it).
    public init(startList: OpenWebStartList, politeness: OpenWebPoliteness, instances: Int, browser: ChromiumBrowser,
                robots: RobotsPolicy? = nil, ownsBrowser: Bool = false) {
        self.startList = startList
        self.politeness = politeness
        instanceCount = instances
        chromium = browser
        owned = ownsBrowser
        let robotsPolicy = robots ?? RobotsPolicy(userAgent: politeness.userAgent)
        self.robots = robotsPolicy
        let pageBudget = PageBudget(limit: politeness.maxPages)
        budget = pageBudget
        let limiter = HostRateLimiter(interval: politeness.perHostInterval)
        // Nothing loads until an episode's start narrows the list to its site.
        let bases = (0..<instances).map { _ in browser.makeEnvironment(allowlist: URLAllowlist(prefixes: ["http://invalid.invalid"])) }
        chromiumEnvironments = bases
        environments = bases.map { PoliteEnvironment(base: $0, limiter: limiter, budget: pageBudget, robots: robotsPolicy) }
    }

    /// Starts Chromium with the crawler's User-Agent.
    public static func launch(startList: OpenWebStartList, politeness: OpenWebPoliteness, instances: Int,
                              configuration: ChromiumBrowser.Configuration = .init()) async throws -> OpenWebPool {
        var configuration = configuration
        configuration.extraArguments.append("--user-agent=\(politeness.userAgent)")
        let browser = try await ChromiumBrowser.launch(configuration)
        return OpenWebPool(startList: startList, politeness: politeness, instances: instances, browser: browser, ownsBrowser: true)
    }

    public func environment(instance: Int) async throws -> any BrowserEnvironment { environments[instance] }

    /// The episode's allowlist: the site's host and its `www.` twin, with their robots.txt rules.
    public func allowlist(for site: OpenWebStartList.Site) async -> URLAllowlist {
        let twin = site.host.hasPrefix("www.") ? String(site.host.dropFirst(4)) : "www." + site.host
        var rules: [String: RobotsTxt] = [:]
        guard let components = URLComponents(string: site.startURL), let scheme = components.scheme?.lowercased() else {
            return URLAllowlist(prefixes: [site.host])
        }
        let port = components.port.map { ":\($0)" } ?? ""
        for host in [site.host, twin] {
            let origin = "\(scheme)://\(host)\(port)"
            rules[origin] = await robots.robots(for: origin + "/")
        }
        let hosts = [site.host, twin].map { $0 + port }
        return URLAllowlist(prefixes: hosts, robots: rules, robotsUserAgent: politeness.userAgent, subresourcesFromAnyHost: true)
    }

    public func startURL(site name: String, instance: Int, episode: Int) async throws -> String {
        guard let site = startList.site(named: name) else { throw Refusal.unknownSite(name) }
        let allowlist = await allowlist(for: site)
        if allowlist.refusal(for: site.startURL) != nil { throw Refusal.startDisallowed(site.startURL) }
        await chromiumEnvironments[instance].restrict(to: allowlist)
        return site.startURL
    }

    /// The live web has no reset.
    public func resetSite(_ site: String, instance: Int) async throws {}

    public func shutdown() { if owned { chromium.close() } }
}
