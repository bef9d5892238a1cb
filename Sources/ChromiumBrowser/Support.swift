import Foundation

/// Runs `body`, throwing `ChromiumError.timeout` if it has not finished after `seconds`.
/// The body is cancelled; DevTools calls inside it are themselves bounded, so it ends soon after.
func withDeadline<T: Sendable>(_ seconds: Double, _ what: String,
                               _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
            throw ChromiumError.timeout(method: what, seconds: seconds)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
