import Foundation

/// The sites of an open-web crawl (`nnetnav explore --urls FILE`): one start URL a line, `#`
/// comments and blank lines skipped. Each becomes the site `openweb/<host>`.
public struct OpenWebStartList: Sendable, Hashable {
    public struct Site: Sendable, Hashable {
        public var startURL: String
        public var host: String
        /// `openweb/<host>`: its personas come from `prompts/personas/openweb/<host>.txt` when that
        /// exists, else `prompts/personas/openweb.txt`; the policy uses the open-web prompt.
        public var name: String { OpenWebStartList.sitePrefix + host }

        public init(startURL: String, host: String) {
            self.startURL = startURL
            self.host = host
        }
    }

    public static let sitePrefix = "openweb/"
    public let sites: [Site]

    public enum LoadError: Error, CustomStringConvertible, Sendable {
        case unreadable(String, String)
        case badURL(String, line: Int, String)
        case duplicateHost(String, line: Int, String)
        case empty(String)

        public var description: String {
            switch self {
            case .unreadable(let f, let d): return "cannot read start URLs \(f): \(d)"
            case .badURL(let f, let l, let u): return "\(f):\(l): '\(u)' is not an http(s) URL with a host"
            case .duplicateHost(let f, let l, let h): return "\(f):\(l): \(h) appears twice; give one start URL per site"
            case .empty(let f): return "\(f) lists no start URLs"
            }
        }
    }

    public init(sites: [Site]) { self.sites = sites }

    public init(parsing text: String, file: String = "URLs") throws {
        var sites: [Site] = []
        var hosts = Set<String>()
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)?
                .trimmingCharacters(in: .whitespaces) ?? ""
            guard !line.isEmpty else { continue }
            guard let url = URLComponents(string: line), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
                  let host = url.host?.lowercased(), !host.isEmpty else {
                throw LoadError.badURL(file, line: index + 1, line)
            }
            guard hosts.insert(host).inserted else { throw LoadError.duplicateHost(file, line: index + 1, host) }
            sites.append(Site(startURL: line, host: host))
        }
        guard !sites.isEmpty else { throw LoadError.empty(file) }
        self.sites = sites
    }

    public static func load(_ file: URL) throws -> OpenWebStartList {
        let text: String
        do { text = try String(contentsOf: file, encoding: .utf8) } catch { throw LoadError.unreadable(file.path, error.localizedDescription) }
        return try OpenWebStartList(parsing: text, file: file.path)
    }

    public func site(named name: String) -> Site? { sites.first { $0.name == name } }
}

/// How politely an open-web crawl behaves.
public struct OpenWebPoliteness: Sendable, Hashable {
    /// Sent with every request (Chromium's and robots.txt fetches), naming the crawler and how to reach its authors.
    public var userAgent: String
    /// At least this many seconds between two page loads on one host (a robots.txt crawl-delay can lengthen it).
    public var perHostInterval: Double
    /// Page loads per host for the whole run; nil for no limit.
    public var maxPages: Int?

    public static let defaultUserAgent = "nnetnav-live/0.1 (research crawler collecting web-agent demonstrations; +https://github.com/web-arena-x/webarena)"

    public init(userAgent: String = OpenWebPoliteness.defaultUserAgent, perHostInterval: Double = 2, maxPages: Int? = nil) {
        self.userAgent = userAgent
        self.perHostInterval = perHostInterval
        self.maxPages = maxPages
    }
}
