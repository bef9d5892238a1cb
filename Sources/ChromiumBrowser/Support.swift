import Foundation

/// Runs `body`, throwing `ChromiumError.timeout` as soon as `seconds` have passed without it
/// finishing. The body is cancelled and left to end on its own (DevTools calls inside it are
/// bounded by the command timeout): a task group would have waited for it, so a page that stalls
/// Chromium held the caller for the full command timeout, not the deadline.
func withDeadline<T: Sendable>(_ seconds: Double, _ what: String,
                               _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let outcome = DeadlineOutcome<T>()
    return try await withCheckedThrowingContinuation { continuation in
        outcome.continuation = continuation
        let work = Task {
            do { outcome.finish(.success(try await body())) } catch { outcome.finish(.failure(error)) }
        }
        outcome.work = work
        Task {
            try? await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
            if outcome.finish(.failure(ChromiumError.timeout(method: what, seconds: seconds))) { work.cancel() }
        }
    }
}

/// Resumes the caller once: with the body's result or with the timeout, whichever comes first.
private final class DeadlineOutcome<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var resumed = false
    var continuation: CheckedContinuation<T, Error>?
    var work: Task<Void, Never>?

    @discardableResult
    func finish(_ result: Result<T, Error>) -> Bool {
        let continuation = lock.withLock { () -> CheckedContinuation<T, Error>? in
            guard !resumed else { return nil }
            resumed = true
            defer { self.continuation = nil }
            return self.continuation
        }
        guard let continuation else { return false }
        continuation.resume(with: result)
        return true
    }
}
