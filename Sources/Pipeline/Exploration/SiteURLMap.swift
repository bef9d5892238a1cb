import Foundation
import WebBrowser

/// Canonical, port-free site addresses (`http://shop.nnetnav`) in place of the loopback addresses
/// a run happens to get (`http://127.0.0.1:50123`), as NNetnav's `map_url_to_real` did for WebArena.
/// Prompts, the crawl store, the export and evaluation only ever see canonical URLs, so a crawl
/// restarted on other ports sends byte-identical prompts (its response cache hits) and exports
/// identical rows; `goto` actions are mapped back to the running instance before they execute.
public struct SiteURLMap: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        /// The running instance's base, e.g. `http://127.0.0.1:50123`.
        public var local: String
        /// Its stable name, e.g. `http://shop.nnetnav`.
        public var canonical: String

        public init(local: String, canonical: String) {
            self.local = local
            self.canonical = canonical
        }
    }

    /// Longest local base first, so no base is replaced inside a longer one.
    public let entries: [Entry]

    public static let identity = SiteURLMap(entries: [])

    public init(entries: [Entry]) {
        self.entries = entries.filter { $0.local != $0.canonical }.sorted { $0.local.count > $1.local.count }
    }

    /// Maps each site's local base URL to `canonicalBase(site)`.
    public init(localBases: [String: String]) {
        self.init(entries: localBases.map { Entry(local: Self.trimmed($0.value), canonical: Self.canonicalBase(site: $0.key)) })
    }

    /// The canonical base of a site: `http://<site>.nnetnav` (`miniwob/login-user` → `http://miniwob.nnetnav`).
    public static func canonicalBase(site: String) -> String {
        let family = site.split(separator: "/").first.map(String.init) ?? site
        return "http://\(family).nnetnav"
    }

    static func trimmed(_ base: String) -> String { base.hasSuffix("/") ? String(base.dropLast()) : base }

    public var isIdentity: Bool { entries.isEmpty }

    /// `text` with every local base replaced by its canonical name.
    public func canonical(_ text: String) -> String {
        entries.reduce(text) { Self.replace($1.local, with: $1.canonical, in: $0) }
    }

    /// `text` with every canonical name replaced by its local base.
    public func local(_ text: String) -> String {
        entries.reduce(text) { Self.replace($1.canonical, with: $1.local, in: $0) }
    }

    public func canonical(_ observation: Observation) -> Observation {
        guard !isIdentity else { return observation }
        var o = observation
        o.text = canonical(o.text)
        o.url = canonical(o.url)
        o.title = canonical(o.title)
        o.tabs = o.tabs.map { tab in Observation.Tab(title: canonical(tab.title), url: canonical(tab.url)) }
        o.error = o.error.map { (text: String) -> String in canonical(text) }
        return o
    }

    /// The action as the running instance needs it: a canonical `goto` target becomes local.
    public func local(_ action: BrowserAction) -> BrowserAction {
        if case .goto(let url) = action { return .goto(url: local(url)) }
        return action
    }

    /// Replaces `base` when it is a whole origin: not followed by more of a port or host name.
    static func replace(_ base: String, with replacement: String, in text: String) -> String {
        guard text.contains(base) else { return text }
        var out = ""
        var rest = text[...]
        while let range = rest.range(of: base) {
            out += rest[..<range.lowerBound]
            let next = rest[range.upperBound...].first
            if let next, next.isLetter || next.isNumber || next == "." || next == "-" {
                out += rest[range]
            } else {
                out += replacement
            }
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}

/// A browser seen through a `SiteURLMap`: observations and descriptions come out canonical and
/// `goto` targets go in local. The explorer and the evaluated policy act through it.
public final class CanonicalURLEnvironment: BrowserEnvironment, @unchecked Sendable {
    public let wrapped: any BrowserEnvironment
    public let map: SiteURLMap

    public init(wrapping environment: any BrowserEnvironment, map: SiteURLMap) {
        wrapped = environment
        self.map = map
    }

    public func reset(startURL: String) async throws -> Observation {
        map.canonical(try await wrapped.reset(startURL: map.local(startURL)))
    }

    public func step(_ action: BrowserAction) async throws -> Observation {
        map.canonical(try await wrapped.step(map.local(action)))
    }

    public func describe(_ action: BrowserAction) -> String {
        map.canonical(wrapped.describe(map.local(action)))
    }

    public func currentHTML() async -> String? { await wrapped.currentHTML() }

    public var pageTaskResult: PageTaskResult? { wrapped.pageTaskResult }
}
