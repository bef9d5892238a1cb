import GRDB
import Hummingbird

/// The `wiki` bundled site: a Kiwix-like read-only encyclopedia of a generated world, with
/// linked articles, infoboxes, categories and search. No login.
public enum WikiSite {
    public static let name = "wiki"

    /// Creates the schema and the seed content in an empty database.
    public static func prepare(_ db: Database, seed: UInt64) throws {
        try WikiDatabase.createSchema(db)
        try WikiDatabase.seed(db, seed: seed)
    }

    /// Adds the site's pages to `router`, serving `database`.
    public static func addRoutes<Context: RequestContext>(to router: Router<Context>, database: any DatabaseWriter) {
        WikiRoutes(database: database).addRoutes(to: router)
    }
}
