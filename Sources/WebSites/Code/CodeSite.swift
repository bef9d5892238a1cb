import GRDB
import Hummingbird

/// The `code` bundled site: a GitLab-like code host with projects, a file browser, issues,
/// merge requests, members and stars. Log in as `CodeDatabase.taskUser` / `CodeDatabase.password`.
public enum CodeSite {
    public static let name = "code"

    /// Creates the schema and the seed content in an empty database.
    public static func prepare(_ db: Database, seed: UInt64) throws {
        try CodeDatabase.createSchema(db)
        try CodeDatabase.seed(db, seed: seed)
    }

    /// Adds the site's pages to `router`, serving `database`. Sessions live as long as the routes.
    public static func addRoutes<Context: RequestContext>(to router: Router<Context>, database: any DatabaseWriter) {
        CodeRoutes(database: database).addRoutes(to: router)
    }
}
