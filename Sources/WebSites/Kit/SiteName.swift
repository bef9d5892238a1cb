import Foundation

/// The bundled sites. `shop` and `admin` are two faces of one store and share its database.
public enum SiteName: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case shop, admin, forum, code, wiki

    public var description: String { rawValue }

    /// The placeholder task configs use for this site's base URL, as WebArena's `__SHOPPING__`.
    public var urlPlaceholder: String { "__\(rawValue.uppercased())__" }
}

extension SiteName {
    /// The site named `text` (surrounding spaces ignored), or an error that lists the bundled sites.
    public init(parsing text: String) throws {
        let name = text.trimmingCharacters(in: .whitespaces)
        guard let site = SiteName(rawValue: name) else { throw SiteNameError.unknown(name) }
        self = site
    }

    /// Comma-separated site names, e.g. `shop,forum`; empty pieces are ignored.
    public static func list(parsing text: String) throws -> [SiteName] {
        try text.split(separator: ",").map(String.init)
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { try SiteName(parsing: $0) }
    }
}

public enum SiteNameError: Error, CustomStringConvertible, Sendable {
    case unknown(String)

    public var description: String {
        switch self {
        case .unknown(let name):
            "unknown site '\(name)'; bundled sites: " + SiteName.allCases.map(\.rawValue).joined(separator: ", ")
        }
    }
}
