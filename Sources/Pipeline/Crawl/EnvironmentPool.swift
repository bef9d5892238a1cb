import Foundation
import WebBrowser

/// The browsers and site instances a crawl explores. The CLI implements it over a `SiteCluster`
/// (one browser per instance) and over MiniWoB++ task pages; tests over a static-page environment.
///
/// Instance `i` is used by one episode at a time, so its environment is never shared.
public protocol EnvironmentPool: Sendable {
    var instanceCount: Int { get }
    /// The browser of instance `i` (the same object for every episode on that instance).
    func environment(instance: Int) async throws -> any BrowserEnvironment
    /// Where episode `episode` on `site` starts, on instance `i`. It must not depend on the instance
    /// or on earlier episodes, so a resumed or sharded crawl replays the same page (MiniWoB++ seeds).
    func startURL(site: String, instance: Int, episode: Int) async throws -> String
    /// Restores `site` on instance `i` to its seeded state (exploration posts, orders, edits).
    func resetSite(_ site: String, instance: Int) async throws
    /// Signs instance `i`'s freshly reset browser in to `site` as the persona's account (or the
    /// site's default one), as NNetnav explored WebArena signed in; returns the account, or nil for
    /// a site without accounts. The explorer then goes to the start page.
    func signIn(site: String, instance: Int, persona: Persona) async throws -> String?
    /// The canonical names of instance `i`'s site addresses (see `SiteURLMap`).
    func urlMap(instance: Int) async throws -> SiteURLMap
}

extension EnvironmentPool {
    /// Sites without accounts.
    public func signIn(site: String, instance: Int, persona: Persona) async throws -> String? { nil }
    /// Environments whose addresses are already stable.
    public func urlMap(instance: Int) async throws -> SiteURLMap { .identity }
}

/// `--shard i/n`: this machine explores the episodes whose index is `i` modulo `n`.
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public static let all = Shard(index: 0, count: 1)

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    public init(parsing text: String) throws {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n > 0, (0..<n).contains(i) else {
            throw CrawlError.badShard(text)
        }
        self.init(index: i, count: n)
    }

    public func owns(episode: Int) -> Bool { episode % count == index }
    public var description: String { "\(index)/\(count)" }
}

public enum CrawlError: Error, CustomStringConvertible, Sendable {
    case badShard(String)
    case noSites
    case tooManyFailures(count: Int, last: String)

    public var description: String {
        switch self {
        case .badShard(let s): return "bad shard \"\(s)\": write i/n with 0 <= i < n, e.g. --shard 0/4"
        case .noSites: return "no sites to explore"
        case .tooManyFailures(let n, let last):
            return "stopped after \(n) consecutive failed episodes (they will be redone on resume); last error: \(last)"
        }
    }
}
