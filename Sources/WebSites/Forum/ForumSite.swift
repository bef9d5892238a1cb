import GRDB
import HTTPServer

/// The `forum` bundled site: a Postmill/reddit-like forum with forums, posts, comments, votes,
/// subscriptions, user profiles and search. Log in as `ForumDatabase.taskUser` / `ForumDatabase.password`.
public enum ForumSite {
    /// Bump when the schema or the seed generator changes (part of the pristine cache key).
    public static let schemaVersion = 1

    public static let definition = SiteDefinition(
        name: .forum, schemaVersion: schemaVersion,
        populate: { db, seed in try prepare(db, seed: seed) },
        makeRouter: { context in
            let router = Router(context: SiteRequestContext.self)
            ForumRoutes(database: context.database, sessions: context.sessions).addRoutes(to: router)
            return router
        })

    /// Creates the schema and the seed content in an empty database.
    public static func prepare(_ db: Database, seed: UInt64) throws {
        try ForumDatabase.createSchema(db)
        try ForumDatabase.seed(db, seed: seed)
    }
}
