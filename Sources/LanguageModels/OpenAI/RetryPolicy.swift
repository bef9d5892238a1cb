import Foundation

/// When and how long to wait before re-sending a failed model request.
///
/// Retried: HTTP 429 and 5xx, timeouts and connection failures. The wait grows exponentially
/// from `initialDelay` by `multiplier` up to `maxDelay`, scaled by a random factor in
/// `1 - jitter ... 1` so that many clients rejected together do not return together.
/// A server's `retry-after-ms` or `Retry-After` header (seconds or HTTP date) wins over the
/// computed wait, capped at `maxRetryAfter`.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in total, including the first one.
    public var maxAttempts: Int
    public var initialDelay: TimeInterval
    public var multiplier: Double
    public var maxDelay: TimeInterval
    public var jitter: Double
    public var maxRetryAfter: TimeInterval

    public init(maxAttempts: Int = 5, initialDelay: TimeInterval = 1, multiplier: Double = 2,
                maxDelay: TimeInterval = 60, jitter: Double = 0.25, maxRetryAfter: TimeInterval = 120) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.multiplier = multiplier
        self.maxDelay = maxDelay
        self.jitter = min(max(jitter, 0), 1)
        self.maxRetryAfter = maxRetryAfter
    }

    /// One attempt and no retry.
    public static let never = RetryPolicy(maxAttempts: 1)

    public static func isRetryable(status: Int) -> Bool { status == 429 || (500...599).contains(status) }

    /// Wait before attempt number `attempt + 1`, after `attempt` failed attempts (1-based).
    public func backoff(afterAttempt attempt: Int, retryAfter: TimeInterval? = nil) -> TimeInterval {
        if let retryAfter { return min(max(retryAfter, 0), maxRetryAfter) }
        let exponential = initialDelay * pow(multiplier, Double(max(attempt - 1, 0)))
        let capped = min(exponential, maxDelay)
        return capped * Double.random(in: (1 - jitter)...1)
    }

    /// The server's requested wait, from `retry-after-ms` (OpenAI) or `Retry-After`.
    static func retryAfter(milliseconds: String?, header: String?, now: Date = Date()) -> TimeInterval? {
        if let ms = milliseconds.flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }), ms >= 0 { return ms / 1000 }
        guard let value = header?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value) { return max(seconds, 0) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value).map { max($0.timeIntervalSince(now), 0) }
    }
}
