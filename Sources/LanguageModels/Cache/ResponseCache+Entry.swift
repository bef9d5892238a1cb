import Foundation

extension ResponseCache {
    /// One cache row as text, the same for every store that keeps responses (SQLite here, the shared
    /// PostgreSQL store elsewhere), so an entry written by one reads back identically from the other.
    public struct Entry: Sendable {
        public var key: String
        public var requestJSON: String
        public var responseJSON: String

        /// The row for `response` to `request` from `model`; stored uncached, with the canonical encoding.
        public init(_ response: ChatResponse, model: String, request: ChatRequest) throws {
            var stored = response
            stored.cached = false
            let encoder = ResponseCache.canonicalEncoder()
            key = ResponseCache.key(model: model, request: request)
            requestJSON = String(decoding: try encoder.encode(request), as: UTF8.self)
            responseJSON = String(decoding: try encoder.encode(stored), as: UTF8.self)
        }

        /// The stored response in `json`, marked `cached`; a clear error when the row is unreadable.
        public static func response(fromJSON json: String, key: String) throws -> ChatResponse {
            do {
                var response = try JSONDecoder().decode(ChatResponse.self, from: Data(json.utf8))
                response.cached = true
                return response
            } catch {
                throw ChatModelError.invalidResponse("response cache entry \(key) is unreadable: \(error)")
            }
        }
    }
}
