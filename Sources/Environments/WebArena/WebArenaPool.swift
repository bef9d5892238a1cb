import ChromiumBrowser
import Foundation
import Pipeline
import WebBrowser
import WebTasks

/// Environments for exploring the real WebArena sites (Docker images of the shop, its admin, the
/// Postmill forum, GitLab, Kiwix and OpenStreetMap) in headless Chromium: each instance's browser
/// may visit only the deployment's sites; episodes sign in with the site map's flows (the session
/// reused across episodes through cookies); a site's reset hook, when the site map declares one,
/// runs before each episode on it; prompts and the store see WebArena's canonical URLs
/// (`http://onestopmarket.com`, …), as NNetnav's `map_url_to_real` did.
public final class WebArenaPool: EnvironmentPool, @unchecked Sendable {
    public let siteMap: WebArenaSiteMap
    public let deployment: WebArenaDeployment
    public let instanceCount: Int
    public let signInFlows: SiteSignIn
    /// Whether reset hooks run before episodes (off: the sites keep what earlier episodes did).
    public let runsResetHooks: Bool
    private let chromium: ChromiumBrowser
    private let owned: Bool
    private let environments: [ChromiumEnvironment]

    public enum Failure: Error, CustomStringConvertible {
        case unknownSite(String)
        case notDeployed(WebArenaSite)
        public var description: String {
            switch self {
            case .unknownSite(let s): return "'\(s)' is not a WebArena site (" + WebArenaSite.allCases.map(\.rawValue).joined(separator: ", ") + ")"
            case .notDeployed(let s): return "\(s.rawValue) is not deployed: set \(s.environmentVariable) (or its url in the site map)"
            }
        }
    }

    public init(siteMap: WebArenaSiteMap, deployment: WebArenaDeployment, instances: Int, browser: ChromiumBrowser,
                runsResetHooks: Bool = true, ownsBrowser: Bool = false) {
        self.siteMap = siteMap
        self.deployment = deployment
        instanceCount = instances
        chromium = browser
        owned = ownsBrowser
        self.runsResetHooks = runsResetHooks
        signInFlows = SiteSignIn(siteMap: siteMap, deployment: deployment)
        let allowlist = URLAllowlist(prefixes: Array(deployment.baseURLs.values))
        environments = (0..<instances).map { _ in browser.makeEnvironment(allowlist: allowlist) }
    }

    /// The deployed sites worth exploring (the homepage is only a portal to the others).
    public var sites: [String] {
        WebArenaSite.allCases.filter { $0 != .homepage && deployment.baseURLs[$0] != nil }.map(\.rawValue)
    }

    func site(_ name: String) throws -> WebArenaSite {
        guard let site = WebArenaSite(rawValue: name) else { throw Failure.unknownSite(name) }
        guard deployment.baseURLs[site] != nil else { throw Failure.notDeployed(site) }
        return site
    }

    public func environment(instance: Int) async throws -> any BrowserEnvironment { environments[instance] }

    public func startURL(site name: String, instance: Int, episode: Int) async throws -> String {
        deployment.baseURLs[try site(name)]! + "/"
    }

    public func resetSite(_ name: String, instance: Int) async throws {
        guard runsResetHooks, let hook = siteMap.settings(try site(name)).reset else { return }
        try await hook.run()
    }

    /// Signs in with the site map's account (WebArena has one account per site, so a persona's
    /// own account is not used).
    public func signIn(site name: String, instance: Int, persona: Persona) async throws -> String? {
        let site = try site(name)
        guard signInFlows.hasSignIn(site) else { return nil }
        try await signInFlows.signIn(site, browser: environments[instance])
        return siteMap.settings(site).account?.username
    }

    public func urlMap(instance: Int) async throws -> SiteURLMap {
        SiteURLMap(entries: deployment.canonicalPairs.map { SiteURLMap.Entry(local: $0.local, canonical: $0.canonical) })
    }

    public func shutdown() { if owned { chromium.close() } }
}
