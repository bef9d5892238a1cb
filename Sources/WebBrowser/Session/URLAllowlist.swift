import Foundation
import HTTPTransport

/// Where a browser may go, whichever backend it is: the native session refuses before any
/// request, Chromium refuses `goto`s and intercepts page loads (a link or a script navigating).
///
/// An entry with a scheme (`http://localhost:7770/`) is a URL prefix; an entry without one
/// (`localhost:7770`, `127.0.0.1`) is a host, with or without port. No entries means any
/// http(s) URL.
public struct URLAllowlist: Sendable, Hashable {
    public var prefixes: [String]
    /// `file://` URLs are refused unless this is set.
    public var allowFileURLs: Bool
    /// With `allowFileURLs`, the only files that may load: absolute paths, a trailing `/` admitting
    /// a folder's tree. Empty admits any file.
    public var filePaths: [String]
    /// robots.txt rules by origin (`https://host[:port]`): a page its origin's rules disallow for
    /// `robotsUserAgent` is refused like a page outside the list (open-web exploration).
    public var robots: [String: RobotsTxt]
    public var robotsUserAgent: String
    /// Lets a page's images, styles, scripts and fonts come from any http(s) host (a live site's
    /// CDN), while documents and frames stay inside the list. Off for the bundled sites and WebArena.
    public var subresourcesFromAnyHost: Bool

    public init(prefixes: [String] = [], allowFileURLs: Bool = false, filePaths: [String] = [],
                robots: [String: RobotsTxt] = [:], robotsUserAgent: String = "", subresourcesFromAnyHost: Bool = false) {
        self.prefixes = prefixes
        self.allowFileURLs = allowFileURLs
        self.filePaths = filePaths
        self.robots = robots
        self.robotsUserAgent = robotsUserAgent
        self.subresourcesFromAnyHost = subresourcesFromAnyHost
    }

    /// Why a request of DevTools resource type `resourceType` ("Document", "Image", …) for `url` is
    /// refused; nil when it may go. Without a type the request counts as a page load.
    public func refusal(for url: String, resourceType: String?) -> String? {
        if subresourcesFromAnyHost, let resourceType, !["Document", "Other"].contains(resourceType) {
            let lower = url.lowercased()
            if lower.hasPrefix("http://") || lower.hasPrefix("https://") { return nil }
        }
        return refusal(for: url)
    }

    /// Only the given files and folders (MiniWoB++ task pages and their scripts): no web host,
    /// no other file.
    public static func files(_ paths: [String]) -> URLAllowlist {
        URLAllowlist(prefixes: [], allowFileURLs: true, filePaths: paths)
    }

    /// Why `url` may not be opened, or nil when it may.
    public func refusal(for url: String) -> String? {
        let lower = url.lowercased()
        if lower == "about:blank" { return nil }
        if lower.hasPrefix("file:") {
            guard allowFileURLs else { return "file URLs are not allowed in this session: \(url)" }
            return fileAllowed(url) ? nil : "\(url) is outside the files this session may open"
        }
        if !filePaths.isEmpty { return "\(url) is outside the files this session may open" }
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            return "unsupported URL scheme (only http, https\(allowFileURLs ? ", file" : "")): \(url)"
        }
        if !prefixes.isEmpty, !prefixes.contains(where: { Self.matches(url: lower, entry: $0.lowercased()) }) {
            return "\(url) is outside the sites this session may visit (\(prefixes.joined(separator: ", ")))"
        }
        if !robots.isEmpty, let origin = Self.origin(of: url), let rules = robots[origin],
           !rules.allows(url: url, userAgent: robotsUserAgent) {
            return "\(url) is disallowed by \(origin)/robots.txt for \(robotsUserAgent)"
        }
        return nil
    }

    /// `scheme://host[:port]`, lower-cased, the key of `robots`.
    public static func origin(of url: String) -> String? {
        guard let c = URLComponents(string: url), let scheme = c.scheme?.lowercased(), let host = c.host?.lowercased() else { return nil }
        return "\(scheme)://\(host)" + (c.port.map { ":\($0)" } ?? "")
    }

    private func fileAllowed(_ url: String) -> Bool {
        if filePaths.isEmpty { return true }
        // Judged on the resolved path: `..` segments and percent-escapes cannot leave a folder.
        guard let parsed = URL(string: url), parsed.isFileURL else { return false }
        let path = parsed.standardizedFileURL.path
        return filePaths.contains { allowed in
            allowed.hasSuffix("/") ? path.hasPrefix(allowed) : path == allowed
        }
    }

    static func matches(url: String, entry: String) -> Bool {
        // The host and port are libcurl's reading of the URL, the one the request will use.
        guard let target = CurlURLParts(url) else { return false }
        if entry.contains("://") {
            guard url.hasPrefix(entry), let allowed = CurlURLParts(entry),
                  allowed.scheme == target.scheme, allowed.host == target.host, allowed.port == target.port else {
                return false
            }
            // "http://host:80" must not admit "http://host:8080": a bare origin ends at a delimiter.
            let afterScheme = entry[entry.range(of: "://")!.upperBound...]
            if afterScheme.contains("/") { return true }
            let rest = url.dropFirst(entry.count)
            return rest.isEmpty || rest.first == "/" || rest.first == "?" || rest.first == "#"
        }
        // A bare entry is `host` or `host:port`; parsed the same way, as an http URL.
        guard let allowed = CurlURLParts("http://" + entry) else { return false }
        if allowed.host != target.host { return false }
        return !Self.hasExplicitPort(entry) || allowed.port == target.port
    }

    private static func hasExplicitPort(_ entry: String) -> Bool {
        // `[::1]:8080` has one after the bracket; `localhost:7770` after the colon.
        let afterHost = entry.lastIndex(of: "]").map { entry[entry.index(after: $0)...] } ?? entry[...]
        return afterHost.contains(":")
    }
}
