import XCTest
@testable import LanguageModels

final class AsyncSemaphoreTests: XCTestCase {
    func testCancelledWaiterLeavesTheQueueAndKeepsPermitsIntact() async throws {
        let semaphore = AsyncSemaphore(limit: 1)
        try await semaphore.acquire()
        let waiter = Task { try await semaphore.acquire() }
        try await Task.sleep(nanoseconds: 20_000_000)
        waiter.cancel()
        do {
            try await waiter.value
            XCTFail("a cancelled waiter must not get the permit")
        } catch is CancellationError {}
        await semaphore.release()
        let free = await semaphore.availablePermits
        XCTAssertEqual(free, 1)
    }

    func testPermitsPassInArrivalOrder() async throws {
        let semaphore = AsyncSemaphore(limit: 1)
        try await semaphore.acquire()
        let order = OrderLog()
        var waiters: [Task<Void, any Error>] = []
        for i in 0..<4 {
            waiters.append(Task {
                try await semaphore.acquire()
                order.append(i)
                await semaphore.release()
            })
            // Let each waiter enqueue before the next starts.
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        await semaphore.release()
        for waiter in waiters { try await waiter.value }
        XCTAssertEqual(order.values, [0, 1, 2, 3])
    }
}

final class OrderLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Int] = []
    func append(_ value: Int) { lock.withLock { items.append(value) } }
    var values: [Int] { lock.withLock { items } }
}
