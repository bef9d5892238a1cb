/// The site definitions built into this binary, by name.
///
/// Each site lives in its own folder (`Shop/`, `Admin/`, `Forum/`, `Code/`, `Wiki/`) and exposes a
/// `static let definition: SiteDefinition` on its namespace enum; a site joins the catalogue with
/// one line here.
public enum SiteCatalog {
    public static func definition(_ name: SiteName) -> SiteDefinition? {
        switch name {
        case .shop: return ShopSite.definition
        case .admin: return AdminSite.definition
        case .forum: return ForumSite.definition
        case .code: return CodeSite.definition
        case .wiki: return WikiSite.definition
        }
    }

    /// Sites that are built in, in `SiteName` order.
    public static var available: [SiteName] { SiteName.allCases.filter { definition($0) != nil } }
}
