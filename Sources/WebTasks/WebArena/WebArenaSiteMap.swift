import Foundation
import NNetnavSupport

/// Per-site settings of a WebArena deployment, declared in data (`environments/webarena/sites.json`,
/// or the user's copy given with `--site-map FILE`): where the site runs (else its environment
/// variable), the account, the sign-in flow and a reset hook.
public struct WebArenaSiteMap: Codable, Sendable, Hashable {
    public var sites: [String: SiteSettings]

    public struct SiteSettings: Codable, Sendable, Hashable {
        /// The running site's base URL; overrides the environment variable.
        public var url: String?
        public var account: Account?
        public var login: LoginFlow?
        public var reset: ResetHook?

        public init(url: String? = nil, account: Account? = nil, login: LoginFlow? = nil, reset: ResetHook? = nil) {
            self.url = url
            self.account = account
            self.login = login
            self.reset = reset
        }
    }

    public struct Account: Codable, Sendable, Hashable {
        public var username: String
        public var password: String
        public init(username: String, password: String) { self.username = username; self.password = password }
    }

    /// Sign in as a person would: open `path`, type each value into its field (found by role and
    /// accessible name, so the flow works in both browsers), press `submit`, then open
    /// `success.path` and check it. `{username}` and `{password}` are replaced by the account's.
    public struct LoginFlow: Codable, Sendable, Hashable {
        public struct Field: Codable, Sendable, Hashable {
            public var field: ElementLocator
            public var value: String
            public init(field: ElementLocator, value: String) { self.field = field; self.value = value }
        }

        /// What proves the sign-in: `path` opens (and the URL stays there, when `urlStays`; a
        /// signed-out visitor is redirected to the sign-in page) and shows `keyword`, when given.
        public struct SuccessCheck: Codable, Sendable, Hashable {
            public var path: String
            public var urlStays: Bool?
            public var keyword: String?
            public init(path: String, urlStays: Bool? = nil, keyword: String? = nil) {
                self.path = path
                self.urlStays = urlStays
                self.keyword = keyword
            }
        }

        public var path: String
        public var fields: [Field]
        public var submit: ElementLocator
        public var success: SuccessCheck

        public init(path: String, fields: [Field], submit: ElementLocator, success: SuccessCheck) {
            self.path = path
            self.fields = fields
            self.submit = submit
            self.success = success
        }
    }

    public init(sites: [String: SiteSettings]) { self.sites = sites }

    public enum LoadError: Error, CustomStringConvertible, Sendable {
        case unreadable(URL, String)
        case unknownSite(URL, String)

        public var description: String {
            switch self {
            case .unreadable(let u, let d): return "site map \(u.path) is unreadable: \(d)"
            case .unknownSite(let u, let s):
                return "site map \(u.path) names unknown site '\(s)'; the sites are " + WebArenaSite.allCases.map(\.rawValue).joined(separator: ", ")
            }
        }
    }

    public static func defaultFile(layout: ProjectLayout = .current) -> URL {
        layout.environments.appendingPathComponent("webarena/sites.json")
    }

    public static func load(_ file: URL) throws -> WebArenaSiteMap {
        let map: WebArenaSiteMap
        do {
            map = try JSONDecoder().decode(WebArenaSiteMap.self, from: Data(contentsOf: file))
        } catch let error as DecodingError {
            throw LoadError.unreadable(file, TaskSet.describe(error))
        } catch {
            throw LoadError.unreadable(file, "\(error)")
        }
        for key in map.sites.keys where WebArenaSite(rawValue: key) == nil { throw LoadError.unknownSite(file, key) }
        return map
    }

    public func settings(_ site: WebArenaSite) -> SiteSettings { sites[site.rawValue] ?? SiteSettings() }

    /// The deployment: each site's `url` from this map, else its environment variable.
    public func deployment(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> WebArenaDeployment {
        var urls = try WebArenaDeployment.fromEnvironment(environment).baseURLs
        for site in WebArenaSite.allCases {
            if let url = settings(site).url, !url.isEmpty {
                guard try WebArenaDeployment.fromEnvironment([site.environmentVariable: url]).baseURLs[site] != nil else { continue }
                urls[site] = url
            }
        }
        return WebArenaDeployment(baseURLs: urls)
    }
}
