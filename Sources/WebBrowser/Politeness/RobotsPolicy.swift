import Foundation
import HTTPTransport

/// Fetches and caches each origin's robots.txt and answers whether a URL may be loaded.
/// 2xx: the file's rules; 4xx (missing): everything allowed; 5xx or unreachable: nothing allowed
/// (RFC 9309). Cached for the life of the policy (an exploration run).
public actor RobotsPolicy {
    public let userAgent: String
    private let fetch: @Sendable (String) async -> (status: Int, body: String)?
    private var cache: [String: RobotsTxt] = [:]

    /// Fetches with libcurl, sending `userAgent`.
    public init(userAgent: String) {
        self.userAgent = userAgent
        let client = HTTPClient(configuration: .init(timeout: 15, maxBodyBytes: 512 * 1024, keepsCookies: false, userAgent: userAgent))
        fetch = { url in
            guard let response = try? await client.send(HTTPRequest(url: url)) else { return nil }
            return (response.status, String(decoding: response.body, as: UTF8.self))
        }
    }

    /// With a custom fetcher (status and body, nil when unreachable).
    public init(userAgent: String, fetch: @escaping @Sendable (String) async -> (status: Int, body: String)?) {
        self.userAgent = userAgent
        self.fetch = fetch
    }

    static func origin(of url: String) -> String? { URLAllowlist.origin(of: url) }

    public func robots(for url: String) async -> RobotsTxt {
        guard let origin = Self.origin(of: url) else { return .allowAll }
        if let cached = cache[origin] { return cached }
        let robots: RobotsTxt
        switch await fetch(origin + "/robots.txt") {
        case .some(let (status, body)) where (200..<300).contains(status): robots = RobotsTxt(parsing: body)
        case .some(let (status, _)) where (400..<500).contains(status): robots = .allowAll
        default: robots = .disallowAll
        }
        cache[origin] = robots
        return robots
    }

    public func allows(_ url: String) async -> Bool {
        guard let scheme = URLComponents(string: url)?.scheme?.lowercased(), scheme == "http" || scheme == "https" else { return true }
        return await robots(for: url).allows(url: url, userAgent: userAgent)
    }

    public func crawlDelay(for url: String) async -> Double? { await robots(for: url).crawlDelay(for: userAgent) }

    /// The crawl-delay of an origin whose robots.txt was already fetched; nil otherwise, without
    /// fetching (asking on behalf of a page that will be refused must not contact its host).
    public func knownCrawlDelay(for url: String) -> Double? {
        Self.origin(of: url).flatMap { cache[$0] }?.crawlDelay(for: userAgent)
    }
}
