import GRDB
import Hummingbird

/// The `forum` bundled site: a Postmill/reddit-like forum with forums, posts, comments, votes,
/// subscriptions, user profiles and search. Log in as `ForumDatabase.taskUser` / `ForumDatabase.password`.
public enum ForumSite {
    public static let name = "forum"

    /// Creates the schema and the seed content in an empty database.
    public static func prepare(_ db: Database, seed: UInt64) throws {
        try ForumDatabase.createSchema(db)
        try ForumDatabase.seed(db, seed: seed)
    }

    /// Adds the site's pages to `router`, serving `database`. Sessions live as long as the routes.
    public static func addRoutes<Context: RequestContext>(to router: Router<Context>, database: any DatabaseWriter) {
        ForumRoutes(database: database).addRoutes(to: router)
    }
}
