import Foundation

/// A chat model whose answers go through a `ResponseCache`.
///
/// Responses served from the cache have `cached == true`. Concurrent identical requests in
/// `.readWrite` mode are coalesced: one reaches the model and the others share its answer
/// (reported as cached, since nobody paid for them).
///
/// With temperature > 0 the same request always gets the sample recorded first, which is what
/// makes a re-run reproducible. To draw several different samples for one prompt, give each
/// request its own `options.seed`: the seed is part of the key.
///
/// ```swift
/// let cache = try ResponseCache(path: "runs/responses.sqlite")
/// let meter = UsageMeter(pricing: ModelPricing(promptPerMillion: 0.15, completionPerMillion: 0.6))
/// let model = MeteredChatModel(wrapping: CachedChatModel(wrapping: remote, cache: cache, mode: .replay), meter: meter)
/// ```
public struct CachedChatModel: ChatModel {
    public enum Mode: String, Sendable, CaseIterable {
        /// Serve from the cache when possible; otherwise call the model and record the answer.
        case readWrite = "read-write"
        /// Serve only from the cache; a miss throws `ChatModelError.cacheMiss`. Reproduces a recorded run
        /// exactly and proves it made no new model calls.
        case replay
        /// Always call the model and overwrite the recorded answer.
        case refresh
    }

    public let base: any ChatModel
    public let cache: ResponseCache
    public let mode: Mode
    private let inFlight = InFlightRequests()

    public init(wrapping base: any ChatModel, cache: ResponseCache, mode: Mode = .readWrite) {
        self.base = base
        self.cache = cache
        self.mode = mode
    }

    /// The cache is transparent: the identity is the wrapped model's.
    public var identifier: String { base.identifier }

    public func complete(_ request: ChatRequest) async throws -> ChatResponse {
        let key = ResponseCache.key(model: base.identifier, request: request)
        switch mode {
        case .refresh:
            return try await callAndStore(request)
        case .replay:
            if let hit = try await cache.response(forKey: key) { return hit }
            throw ChatModelError.cacheMiss(key: "\(key) (model \(base.identifier); prompt ends \"\(Self.promptExcerpt(request))\")")
        case .readWrite:
            if let hit = try await cache.response(forKey: key) { return hit }
            return try await inFlight.run(key: key) {
                // Checked again: an identical request may have finished between the lookup above and now.
                if let hit = try await cache.response(forKey: key) { return hit }
                return try await callAndStore(request)
            }
        }
    }

    private func callAndStore(_ request: ChatRequest) async throws -> ChatResponse {
        let response = try await base.complete(request)
        // A response the wrapped model itself served from a cache is already recorded somewhere.
        if !response.cached { try await cache.store(response, model: base.identifier, request: request) }
        return response
    }

    /// The last 120 characters of the last message, on one line, to recognise the request by.
    static func promptExcerpt(_ request: ChatRequest) -> String {
        let last = request.messages.last?.content ?? ""
        let oneLine = last.split(whereSeparator: \.isNewline).joined(separator: " ")
        return oneLine.count > 120 ? "…" + oneLine.suffix(120) : oneLine
    }
}

/// Requests currently being answered, by cache key, so that identical concurrent requests share one call.
private actor InFlightRequests {
    private var tasks: [String: Task<ChatResponse, any Error>] = [:]

    func run(key: String, _ call: @escaping @Sendable () async throws -> ChatResponse) async throws -> ChatResponse {
        if let existing = tasks[key] {
            var shared = try await existing.value
            shared.cached = true
            return shared
        }
        let task = Task { try await call() }
        tasks[key] = task
        defer { tasks[key] = nil }
        return try await task.value
    }
}
