import GRDB
import HTTPServer

/// The `code` bundled site: a GitLab-like code host with projects, a file browser, issues,
/// merge requests, members and stars. Log in as `CodeDatabase.taskUser` / `CodeDatabase.password`.
public enum CodeSite {
    /// Bump when the schema or the seed generator changes (part of the pristine cache key).
    public static let schemaVersion = 1

    public static let definition = SiteDefinition(
        name: .code, schemaVersion: schemaVersion,
        populate: { db, seed in try prepare(db, seed: seed) },
        makeRouter: { context in
            let router = Router(context: SiteRequestContext.self)
            CodeRoutes(database: context.database, sessions: context.sessions).addRoutes(to: router)
            return router
        })

    /// Creates the schema and the seed content in an empty database.
    public static func prepare(_ db: Database, seed: UInt64) throws {
        try CodeDatabase.createSchema(db)
        try CodeDatabase.seed(db, seed: seed)
    }
}
