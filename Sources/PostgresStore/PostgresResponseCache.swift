import Foundation
import LanguageModels

/// The response cache in PostgreSQL (`--cache postgres://…`), shared by every crawl worker, so an
/// episode redone on another machine replays its calls instead of paying for them again. Same
/// keys, same JSON and same columns as the SQLite `ResponseCache`.
public final class PostgresResponseCache: ResponseStore {
    public let session: PostgresSession

    public init(session: PostgresSession) { self.session = session }

    /// Connects and brings the schema up to date.
    public static func open(_ url: PostgresURL) async throws -> PostgresResponseCache {
        let session = try await PostgresSession.connect(url)
        try await PostgresSchema.migrate(session)
        return PostgresResponseCache(session: session)
    }

    public func response(forKey key: String) async throws -> ChatResponse? {
        guard let row = try await session.query("SELECT response FROM responses WHERE key = \(key)").first else { return nil }
        return try ResponseCache.Entry.response(fromJSON: try row.decode(0, as: String.self), key: key)
    }

    public func store(_ response: ChatResponse, model: String, request: ChatRequest) async throws {
        let entry = try ResponseCache.Entry(response, model: model, request: request)
        let key = entry.key, requestJSON = entry.requestJSON, responseJSON = entry.responseJSON
        try await session.query("""
            INSERT INTO responses (key, model, request, response, prompt_tokens, completion_tokens)
            VALUES (\(key), \(model), \(requestJSON), \(responseJSON), \(Int64(response.usage.promptTokens)),
                    \(Int64(response.usage.completionTokens)))
            ON CONFLICT (key) DO UPDATE SET response = EXCLUDED.response, prompt_tokens = EXCLUDED.prompt_tokens,
                completion_tokens = EXCLUDED.completion_tokens, created_at = now()
            """)
    }

    /// Number of stored responses.
    public func count() async throws -> Int {
        Int(try await session.query("SELECT count(*) FROM responses").first!.decode(0, as: Int64.self))
    }
}
