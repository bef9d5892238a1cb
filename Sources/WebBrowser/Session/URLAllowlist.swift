import Foundation

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

    public init(prefixes: [String] = [], allowFileURLs: Bool = false) {
        self.prefixes = prefixes
        self.allowFileURLs = allowFileURLs
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
        if prefixes.isEmpty { return nil }
        if prefixes.contains(where: { Self.matches(url: lower, entry: $0.lowercased()) }) { return nil }
        return "\(url) is outside the sites this session may visit (\(prefixes.joined(separator: ", ")))"
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
