/// The bundled sites. `shop` and `admin` are two faces of one store and share its database.
public enum SiteName: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case shop, admin, forum, code, wiki

    public var description: String { rawValue }

    /// The placeholder task configs use for this site's base URL, as WebArena's `__SHOPPING__`.
    public var urlPlaceholder: String { "__\(rawValue.uppercased())__" }
}
