import XCTest
@testable import LanguageModels

final class RetryPolicyTests: XCTestCase {
    func testBackoffGrowsExponentiallyWithinJitterAndCap() {
        let policy = RetryPolicy(maxAttempts: 6, initialDelay: 1, multiplier: 2, maxDelay: 5, jitter: 0.25)
        for (attempt, full) in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0), (5, 5.0)] {
            let delay = policy.backoff(afterAttempt: attempt)
            XCTAssertLessThanOrEqual(delay, full)
            XCTAssertGreaterThanOrEqual(delay, full * 0.75)
        }
    }

    func testServerRequestedWaitWinsAndIsCapped() {
        let policy = RetryPolicy(initialDelay: 1, maxRetryAfter: 30)
        XCTAssertEqual(policy.backoff(afterAttempt: 1, retryAfter: 7), 7)
        XCTAssertEqual(policy.backoff(afterAttempt: 1, retryAfter: 600), 30)
    }

    func testRetryAfterHeaderForms() {
        XCTAssertEqual(RetryPolicy.retryAfter(milliseconds: "250", header: "9"), 0.25)
        XCTAssertEqual(RetryPolicy.retryAfter(milliseconds: nil, header: "9"), 9)
        let now = Date(timeIntervalSince1970: 1_700_000_000)  // Tue, 14 Nov 2023 22:13:20 GMT
        XCTAssertEqual(RetryPolicy.retryAfter(milliseconds: nil, header: "Tue, 14 Nov 2023 22:13:50 GMT", now: now) ?? -1,
                       30, accuracy: 0.001)
        XCTAssertNil(RetryPolicy.retryAfter(milliseconds: nil, header: "soon"))
        XCTAssertNil(RetryPolicy.retryAfter(milliseconds: nil, header: nil))
    }

    func testRetryableStatuses() {
        XCTAssertTrue(RetryPolicy.isRetryable(status: 429))
        XCTAssertTrue(RetryPolicy.isRetryable(status: 502))
        XCTAssertFalse(RetryPolicy.isRetryable(status: 400))
        XCTAssertFalse(RetryPolicy.isRetryable(status: 401))
    }
}
