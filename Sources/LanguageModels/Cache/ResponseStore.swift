import Foundation

/// Where `CachedChatModel` keeps answers by request key (`ResponseCache.key(model:request:)`): the
/// SQLite `ResponseCache`, or a cache shared by crawl workers on many machines (PostgresStore).
public protocol ResponseStore: Sendable {
    /// The stored response, marked `cached`, or nil.
    func response(forKey key: String) async throws -> ChatResponse?
    /// Stores (or replaces) the response to `request` from `model`.
    func store(_ response: ChatResponse, model: String, request: ChatRequest) async throws
}
