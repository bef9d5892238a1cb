import GRDB
import HTTPServer

/// The `wiki` bundled site: a Kiwix-like read-only encyclopedia of a generated world, with
/// linked articles, infoboxes, categories and search. No login.
public enum WikiSite {
    /// Bump when the schema or the seed generator changes (part of the pristine cache key).
    public static let schemaVersion = 1

    public static let definition = SiteDefinition(
        name: .wiki, schemaVersion: schemaVersion,
        populate: { db, seed in try prepare(db, seed: seed) },
        makeRouter: { context in
            let router = Router(context: SiteRequestContext.self)
            WikiRoutes(database: context.database).addRoutes(to: router)
            return router
        })

    /// Creates the schema and the seed content in an empty database.
    public static func prepare(_ db: Database, seed: UInt64) throws {
        try WikiDatabase.createSchema(db)
        try WikiDatabase.seed(db, seed: seed)
    }
}
