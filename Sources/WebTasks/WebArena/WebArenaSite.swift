import Foundation

/// The sites of WebArena (Zhou et al.), by the placeholder its task configs use and the environment
/// variable its harness reads the running site's base URL from (`browser_env/env_config.py`).
public enum WebArenaSite: String, CaseIterable, Sendable, Hashable, Codable {
    case shopping, shoppingAdmin = "shopping_admin", reddit, gitlab, wikipedia, map, homepage

    /// `__SHOPPING_ADMIN__`.
    public var placeholder: String { "__\(environmentVariable)__" }

    /// `SHOPPING_ADMIN`.
    public var environmentVariable: String { rawValue.uppercased() }

    /// The stable, port-free base URL stored in crawl data and shown in prompts (WebArena's own
    /// `URL_MAPPINGS`, which NNetnav's `map_url_to_real` inverts), so data collected on one
    /// deployment reads the same as data from another.
    public var canonicalBase: String {
        switch self {
        case .shopping: "http://onestopmarket.com"
        case .shoppingAdmin: "http://luma.com/admin"
        case .reddit: "http://reddit.com"
        case .gitlab: "http://gitlab.com"
        case .wikipedia: "http://wikipedia.org"
        case .map: "http://openstreetmap.org"
        case .homepage: "http://homepage.com"
        }
    }
}

public enum WebArenaError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A task needs a site whose base URL is not set.
    case missingVariable(String, placeholder: String, taskIDs: [Int])
    case invalidBaseURL(variable: String, value: String)
    case unknownSite(String)

    public var description: String {
        switch self {
        case .missingVariable(let v, let p, let ids):
            let shown = ids.prefix(5).map(String.init).joined(separator: ", ") + (ids.count > 5 ? ", …" : "")
            return "environment variable \(v) is not set, but \(ids.count) task(s) use \(p) (task_id \(shown)); "
                + "export \(v)=http://host:port, the base URL of the running site, as for WebArena"
        case .invalidBaseURL(let v, let value):
            return "environment variable \(v)='\(value)' is not an http(s) base URL (e.g. http://localhost:7770)"
        case .unknownSite(let s):
            return "unknown WebArena site '\(s)'; the sites are " + WebArenaSite.allCases.map(\.rawValue).joined(separator: ", ")
        }
    }
}

/// Where each WebArena site runs: base URLs read from `SHOPPING`, `SHOPPING_ADMIN`, `REDDIT`, `GITLAB`,
/// `WIKIPEDIA`, `MAP`, `HOMEPAGE`, as WebArena's harness reads them.
public struct WebArenaDeployment: Sendable, Hashable {
    public var baseURLs: [WebArenaSite: String]

    public init(baseURLs: [WebArenaSite: String]) {
        self.baseURLs = baseURLs.mapValues { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    /// The sites whose variable is set (and not empty); a malformed value is an error naming it.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> WebArenaDeployment {
        var urls: [WebArenaSite: String] = [:]
        for site in WebArenaSite.allCases {
            guard let value = environment[site.environmentVariable]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { continue }
            guard let url = URL(string: value), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                  url.host != nil else {
                throw WebArenaError.invalidBaseURL(variable: site.environmentVariable, value: value)
            }
            urls[site] = value
        }
        return WebArenaDeployment(baseURLs: urls)
    }

    /// Placeholder → base URL, for `TaskConfig.substituting`.
    public var placeholders: [String: String] {
        Dictionary(uniqueKeysWithValues: baseURLs.map { ($0.key.placeholder, $0.value) })
    }

    /// Each running site's base URL → its canonical base, longest first (so `SHOPPING_ADMIN`, which
    /// usually extends `SHOPPING`'s origin with `/admin`, is mapped before it).
    public var canonicalPairs: [(local: String, canonical: String)] {
        baseURLs.map { (local: $0.value, canonical: $0.key.canonicalBase) }.sorted { $0.local.count > $1.local.count }
    }

    /// `url` with the running site's base replaced by the canonical one (unchanged when no site matches).
    public func canonical(_ url: String) -> String {
        for pair in canonicalPairs where url.hasPrefix(pair.local) {
            let rest = url.dropFirst(pair.local.count)
            if rest.isEmpty || rest.first == "/" || rest.first == "?" || rest.first == "#" { return pair.canonical + rest }
        }
        return url
    }

    /// The inverse of `canonical`.
    public func local(_ url: String) -> String {
        for pair in canonicalPairs.sorted(by: { $0.canonical.count > $1.canonical.count }) where url.hasPrefix(pair.canonical) {
            let rest = url.dropFirst(pair.canonical.count)
            if rest.isEmpty || rest.first == "/" || rest.first == "?" || rest.first == "#" { return pair.local + rest }
        }
        return url
    }
}
