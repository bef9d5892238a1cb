import Foundation

/// A parsed robots.txt (RFC 9309): groups of user-agent lines with their allow/disallow rules.
///
/// - A group starts at a `user-agent` line; consecutive `user-agent` lines share one group; rules
///   before any `user-agent` line belong to no group and are ignored.
/// - The crawler obeys the group whose user-agent is the longest case-insensitive prefix of its
///   product token (groups naming the same agent are merged), else the `*` groups, else nothing.
/// - The longest matching pattern decides; on a tie `allow` wins. `*` matches any run of
///   characters, a final `$` anchors the end; an empty `disallow` is no rule.
/// - `/robots.txt` itself is always allowed. `crawl-delay` (not in the RFC, widely used) is kept.
public struct RobotsTxt: Sendable, Hashable {
    public struct Rule: Sendable, Hashable {
        public var allow: Bool
        public var pattern: String
    }

    public struct Group: Sendable, Hashable {
        public var agents: [String]
        public var rules: [Rule]
        public var crawlDelay: Double?
    }

    public let groups: [Group]

    /// Allows everything (a missing robots.txt, a 4xx answer).
    public static let allowAll = RobotsTxt(groups: [])
    /// Disallows everything (a 5xx answer or an unreachable host, as RFC 9309 §2.3.1.4 asks).
    public static let disallowAll = RobotsTxt(groups: [Group(agents: ["*"], rules: [Rule(allow: false, pattern: "/")], crawlDelay: nil)])

    public init(groups: [Group]) { self.groups = groups }

    public init(parsing text: String) {
        var groups: [Group] = []
        var current: Group?
        var lastWasAgent = false
        // Only the first 500 KiB count (RFC 9309 §2.5).
        for rawLine in text.prefix(512 * 1024).split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "user-agent", "useragent", "user agent":
                if !lastWasAgent {
                    if let current { groups.append(current) }
                    current = Group(agents: [], rules: [], crawlDelay: nil)
                }
                current?.agents.append(value.split(separator: " ").first.map { $0.lowercased() } ?? "")
                lastWasAgent = true
            case "allow", "disallow":
                lastWasAgent = false
                guard current != nil, !value.isEmpty else { continue }
                current?.rules.append(Rule(allow: key == "allow", pattern: Self.normalizedPath(value)))
            case "crawl-delay":
                lastWasAgent = false
                if let seconds = Double(value), seconds >= 0, seconds.isFinite { current?.crawlDelay = seconds }
            default:
                // sitemap and unknown keys end neither a group nor a run of user-agent lines' meaning.
                continue
            }
        }
        if let current { groups.append(current) }
        self.groups = groups
    }

    /// The merged group that applies to `userAgent` (its product token, e.g. `nnetnav-live`).
    public func group(for userAgent: String) -> Group? {
        let token = userAgent.split(separator: "/").first.map { $0.lowercased() } ?? userAgent.lowercased()
        var best: String?
        for group in groups {
            for agent in group.agents where agent != "*" && !agent.isEmpty && token.hasPrefix(agent) {
                if agent.count > (best?.count ?? 0) { best = agent }
            }
        }
        let chosen = best.map { b in groups.filter { $0.agents.contains(b) } } ?? groups.filter { $0.agents.contains("*") }
        guard !chosen.isEmpty else { return nil }
        return Group(agents: [best ?? "*"], rules: chosen.flatMap(\.rules), crawlDelay: chosen.compactMap(\.crawlDelay).max())
    }

    /// Whether `userAgent` may fetch `pathAndQuery` (e.g. `/search?q=a`).
    public func allows(_ pathAndQuery: String, userAgent: String) -> Bool {
        let path = Self.normalizedPath(pathAndQuery.isEmpty ? "/" : pathAndQuery)
        if path == "/robots.txt" { return true }
        guard let group = group(for: userAgent) else { return true }
        var verdict: (length: Int, allow: Bool)?
        for rule in group.rules where Self.matches(rule.pattern, path) {
            let length = rule.pattern.utf8.count
            if verdict == nil || length > verdict!.length || (length == verdict!.length && rule.allow) {
                verdict = (length, rule.allow)
            }
        }
        return verdict?.allow ?? true
    }

    /// Whether `url` may be fetched (its path and query; other hosts' URLs are not this file's business).
    public func allows(url: String, userAgent: String) -> Bool {
        guard let components = URLComponents(string: url) else { return true }
        var path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { path += "?" + query }
        return allows(path, userAgent: userAgent)
    }

    public func crawlDelay(for userAgent: String) -> Double? { group(for: userAgent)?.crawlDelay }

    /// Pattern match with `*` (any run) and a final `$` (end of path), iteratively (no backtracking blow-up).
    static func matches(_ pattern: String, _ path: String) -> Bool {
        var p = Array(pattern.utf8)
        let anchored = p.last == UInt8(ascii: "$")
        if anchored { p.removeLast() }
        let s = Array(path.utf8)
        // Positions in `s` the pattern prefix can end at; a set, so the work is |p|·|s|.
        var positions: [Int] = [0]
        for c in p {
            if c == UInt8(ascii: "*") {
                guard let first = positions.min() else { return false }
                positions = Array(first...s.count)
            } else {
                positions = positions.compactMap { $0 < s.count && s[$0] == c ? $0 + 1 : nil }
                if positions.isEmpty { return false }
            }
        }
        return anchored ? positions.contains(s.count) : !positions.isEmpty
    }

    /// Percent-escapes as one spelling: upper-case hex, and non-ASCII bytes escaped, so `/caf%c3%a9`,
    /// `/caf%C3%A9` and `/café` compare equal.
    static func normalizedPath(_ path: String) -> String {
        var out = ""
        let bytes = Array(path.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "%"), i + 2 < bytes.count, let v = UInt8(String(decoding: bytes[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                out += String(format: "%%%02X", v)
                i += 3
            } else if b >= 0x80 || b <= 0x20 {
                out += String(format: "%%%02X", b)
                i += 1
            } else {
                out.unicodeScalars.append(Unicode.Scalar(b))
                i += 1
            }
        }
        return out
    }
}
