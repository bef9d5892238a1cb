import Foundation

/// One model served by several OpenAI-compatible endpoints (`vllm:M@http://a/v1,http://b/v1`):
/// each request goes to the healthy endpoint with the fewest requests in flight. An endpoint that
/// fails to answer (connection refused, timeout, HTTP 5xx or 429) is taken out of rotation for a
/// cool-down that doubles with each consecutive failure, and the request moves on to the next
/// endpoint, so one dead replica costs a failed attempt, not the crawl. An answer the server gave
/// (a 4xx, an unreadable body) is the model's answer and is passed through without failover.
public final class EndpointBalancedChatModel: ChatModel, @unchecked Sendable {
    public let identifier: String
    public let endpoints: [any ChatModel]
    /// First cool-down after a failure; doubles per consecutive failure up to `maxCooldown`.
    public let cooldown: Double
    public let maxCooldown: Double
    private let lock = NSLock()
    private var inFlight: [Int]
    private var failures: [Int]
    private var outUntil: [ContinuousClock.Instant?]
    private var answered: [Int]
    private var next = 0

    public init(identifier: String, endpoints: [any ChatModel], cooldown: Double = 5, maxCooldown: Double = 120) {
        precondition(!endpoints.isEmpty, "a balanced model needs at least one endpoint")
        self.identifier = identifier
        self.endpoints = endpoints
        self.cooldown = cooldown
        self.maxCooldown = maxCooldown
        inFlight = Array(repeating: 0, count: endpoints.count)
        failures = Array(repeating: 0, count: endpoints.count)
        outUntil = Array(repeating: nil, count: endpoints.count)
        answered = Array(repeating: 0, count: endpoints.count)
    }

    /// Requests answered by each endpoint so far.
    public var answeredCounts: [Int] { lock.withLock { answered } }

    public func complete(_ request: ChatRequest) async throws -> ChatResponse {
        var tried: Set<Int> = []
        var lastError: (any Error)?
        while let index = take(excluding: tried) {
            tried.insert(index)
            do {
                let response = try await endpoints[index].complete(request)
                release(index, failed: false)
                return response
            } catch {
                let endpointFailed = Self.isEndpointFailure(error)
                release(index, failed: endpointFailed)
                if !endpointFailed { throw error }
                lastError = error
            }
        }
        throw lastError ?? ChatModelError.unavailable("no endpoint of \(identifier) is available")
    }

    /// The least-loaded endpoint not tried yet, healthy ones first; one cooling down is used only
    /// when every endpoint is (better a retry than a certain failure).
    private func take(excluding tried: Set<Int>) -> Int? {
        lock.withLock {
            let now = ContinuousClock.now
            let candidates = endpoints.indices.filter { !tried.contains($0) }
            guard !candidates.isEmpty else { return nil }
            let healthy = candidates.filter { outUntil[$0].map { $0 <= now } ?? true }
            let pool = healthy.isEmpty ? candidates : healthy
            // Rotate the starting point so equal loads spread instead of piling on endpoint 0.
            let start = next
            next = (next + 1) % endpoints.count
            let chosen = pool.min { a, b in
                (inFlight[a], (a - start + endpoints.count) % endpoints.count)
                    < (inFlight[b], (b - start + endpoints.count) % endpoints.count)
            }!
            inFlight[chosen] += 1
            return chosen
        }
    }

    private func release(_ index: Int, failed: Bool) {
        lock.withLock {
            inFlight[index] -= 1
            if failed {
                failures[index] += 1
                let wait = min(cooldown * pow(2, Double(failures[index] - 1)), maxCooldown)
                outUntil[index] = .now + .milliseconds(Int(wait * 1000))
            } else {
                failures[index] = 0
                outUntil[index] = nil
                answered[index] += 1
            }
        }
    }

    static func isEndpointFailure(_ error: any Error) -> Bool {
        switch error as? ChatModelError {
        case .transport?, .unavailable?: return true
        case .http(let status, _)?: return RetryPolicy.isRetryable(status: status)
        default: return false
        }
    }
}
