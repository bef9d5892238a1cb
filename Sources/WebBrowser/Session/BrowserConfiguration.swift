import Foundation

/// How a `BrowserSession` may browse: where it may go, how long it waits, how much it reads,
/// and how much of a page one observation shows.
public struct BrowserConfiguration: Sendable {
    /// Where navigation may go. An entry with a scheme (`http://localhost:7770/`) is a URL prefix;
    /// an entry without one (`localhost:7770`, `127.0.0.1`) is a host, with or without port.
    /// Everything else is refused before any request is made. Empty means any http(s) URL.
    public var allowedURLPrefixes: [String]
    /// `file://` URLs are refused unless this is set.
    public var allowFileURLs: Bool
    /// Tree lines per observation window (below the root line); `scroll` moves by one window.
    /// Zero or less shows the whole page.
    public var viewportLines: Int
    /// Whole-request timeout in seconds.
    public var timeout: TimeInterval
    public var connectTimeout: TimeInterval
    /// Responses larger than this are refused with an error observation.
    public var maxBodyBytes: Int
    public var maxRedirects: Int
    public var userAgent: String

    public init(allowedURLPrefixes: [String] = [], allowFileURLs: Bool = false, viewportLines: Int = 60,
                timeout: TimeInterval = 15, connectTimeout: TimeInterval = 5, maxBodyBytes: Int = 8 << 20,
                maxRedirects: Int = 10, userAgent: String = "nnetnav/0.1 (headless; no JavaScript)") {
        self.allowedURLPrefixes = allowedURLPrefixes
        self.allowFileURLs = allowFileURLs
        self.viewportLines = viewportLines
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxBodyBytes = maxBodyBytes
        self.maxRedirects = maxRedirects
        self.userAgent = userAgent
    }

    /// Why `url` may not be opened, or nil when it may.
    public func refusal(for url: String) -> String? {
        let lower = url.lowercased()
        if lower == "about:blank" { return nil }
        if lower.hasPrefix("file:") {
            return allowFileURLs ? nil : "file URLs are not allowed in this session: \(url)"
        }
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            return "unsupported URL scheme (only http, https\(allowFileURLs ? ", file" : "")): \(url)"
        }
        if allowedURLPrefixes.isEmpty { return nil }
        if allowedURLPrefixes.contains(where: { Self.matches(url: lower, entry: $0.lowercased()) }) { return nil }
        return "\(url) is outside the sites this session may visit (\(allowedURLPrefixes.joined(separator: ", ")))"
    }

    static func matches(url: String, entry: String) -> Bool {
        if entry.contains("://") {
            guard url.hasPrefix(entry) else { return false }
            // "http://host:80" must not admit "http://host:8080": a bare origin ends at a delimiter.
            let afterScheme = entry[entry.range(of: "://")!.upperBound...]
            if afterScheme.contains("/") { return true }
            let rest = url.dropFirst(entry.count)
            return rest.isEmpty || rest.first == "/" || rest.first == "?" || rest.first == "#"
        }
        guard let authority = Self.authority(of: url) else { return false }
        if entry.contains(":") { return authority == entry }
        let host = authority.split(separator: ":", maxSplits: 1).first.map(String.init) ?? authority
        return host == entry
    }

    /// `host[:port]` of an http(s) URL.
    static func authority(of url: String) -> String? {
        guard let start = url.range(of: "://")?.upperBound else { return nil }
        let rest = url[start...]
        let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        var authority = String(rest[..<end])
        if let at = authority.lastIndex(of: "@") { authority = String(authority[authority.index(after: at)...]) }
        return authority
    }
}
