/// A counting semaphore for async code: at most `limit` holders at once, later callers
/// wait in FIFO order without blocking a thread. A waiter that is cancelled leaves the queue
/// and throws `CancellationError`.
public actor AsyncSemaphore {
    public nonisolated let limit: Int
    private var available: Int
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextID: UInt64 = 0

    public init(limit: Int) {
        precondition(limit > 0, "a semaphore needs at least one permit")
        self.limit = limit
        self.available = limit
    }

    /// Runs `body` while holding one permit.
    public nonisolated func withPermit<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await acquire()
        do {
            let value = try await body()
            await release()
            return value
        } catch {
            await release()
            throw error
        }
    }

    public func acquire() async throws {
        try Task.checkCancellation()
        if available > 0 {
            available -= 1
            return
        }
        let id = nextID
        nextID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Cancelled between the check above and here: the handler below found no waiter.
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Hands the permit to the longest waiter, or returns it to the pool.
    public func release() {
        if waiters.isEmpty {
            available = min(available + 1, limit)
        } else {
            waiters.removeFirst().continuation.resume()
        }
    }

    /// Permits currently free; for tests and progress displays.
    public var availablePermits: Int { available }

    private func cancelWaiter(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }
}
