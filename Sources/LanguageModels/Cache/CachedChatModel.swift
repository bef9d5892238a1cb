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
    public let cache: any ResponseStore
    public let mode: Mode
    /// Waits between attempts to record a paid answer when the cache write fails (busy file, full
    /// disk); after the last one the answer is kept in memory and retried on the next call.
    public let writeRetryDelays: [Double]
    private let inFlight = InFlightRequests()
    private let pending = PendingCacheWrites()

    public init(wrapping base: any ChatModel, cache: any ResponseStore, mode: Mode = .readWrite,
                writeRetryDelays: [Double] = [0.1, 0.3, 1, 3]) {
        self.base = base
        self.cache = cache
        self.mode = mode
        self.writeRetryDelays = writeRetryDelays
    }

    /// Whether an answer may be recorded as the answer to its request. An empty answer or one cut
    /// by the length limit is passed to the caller but not cached: replaying it would turn a
    /// transient failure (or a too-small `maxTokens`) into a permanent one.
    public static func isCacheable(_ response: ChatResponse) -> Bool {
        if response.finishReason == "length" { return false }
        if response.finishReason == "choice" { return true }
        return !response.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }

    /// Answers that were paid for but could not be written yet.
    public func pendingWriteCount() async -> Int { await pending.count }

    /// Tries to write every answer still waiting; throws the last write error if any remain.
    public func flushPendingWrites() async throws {
        for write in await pending.takeAll() {
            do {
                try await cache.store(write.response, model: write.model, request: write.request)
            } catch {
                await pending.add(write)
                throw error
            }
        }
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
        guard !response.cached, Self.isCacheable(response) else { return response }
        let write = PendingCacheWrite(response: response, model: base.identifier, request: request)
        try? await flushPendingWrites()
        // The call is paid for: a failed write is retried, and never turns the answer into an error.
        var attempt = 0
        while true {
            do {
                try await cache.store(write.response, model: write.model, request: write.request)
                return response
            } catch {
                guard attempt < writeRetryDelays.count, !Task.isCancelled else {
                    await pending.add(write)
                    FileHandle.standardError.write(Data("warning: could not record a model answer in the response cache (\(error)); will retry on the next call\n".utf8))
                    return response
                }
                try? await Task.sleep(nanoseconds: UInt64(writeRetryDelays[attempt] * 1e9))
                attempt += 1
            }
        }
    }

    /// The last 120 characters of the last message, on one line, to recognise the request by.
    static func promptExcerpt(_ request: ChatRequest) -> String {
        let last = request.messages.last?.content ?? ""
        let oneLine = last.split(whereSeparator: \.isNewline).joined(separator: " ")
        return oneLine.count > 120 ? "…" + oneLine.suffix(120) : oneLine
    }
}

struct PendingCacheWrite: Sendable {
    var response: ChatResponse
    var model: String
    var request: ChatRequest
}

/// Paid answers whose cache write failed, kept for the next attempt.
private actor PendingCacheWrites {
    private var writes: [PendingCacheWrite] = []
    var count: Int { writes.count }
    func add(_ write: PendingCacheWrite) { writes.append(write) }
    func takeAll() -> [PendingCacheWrite] { defer { writes = [] }; return writes }
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
