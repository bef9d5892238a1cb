import Foundation
@testable import Pipeline
@testable import PostgresStore
import XCTest

/// The work queue's guarantees, in one process with two backends playing two workers.
final class LeaseFencingTests: XCTestCase {
    let plans = (0..<3).map { EpisodePlan(index: $0, site: "shop", persona: Persona(name: "P\($0)", description: "tester")) }

    func begin(_ backend: PostgresCrawlBackend) async throws -> CrawlBeginning {
        try await backend.begin(model: "canned:test-double", sites: ["shop"], episodes: plans.count,
                                config: ExplorationConfig(), plans: plans)
    }

    static func outcome(_ text: String) -> EpisodeOutcome {
        EpisodeOutcome(steps: [ExploredStep(index: 0, url: "http://shop.test/", observation: text, action: "click [1]"),
                               ExploredStep(index: 1, url: "http://shop.test/a", observation: text + " after")],
                       checkpoints: [], stopReason: .maxActions, stopDetail: "test")
    }

    func testAStalledWorkersEpisodeIsTakenOverAndItsLateCommitIsRefused() async throws {
        let url = try await TestDatabase.fresh()
        let stalled = PostgresCrawlBackend(session: try await PostgresCrawlBackend.open(url).session, leaseSeconds: 0.5,
                                           renewsLeases: false)
        let healthy = try await PostgresCrawlBackend.open(url, leaseSeconds: 30)
        defer { stalled.session.close(); healthy.session.close() }
        _ = try await begin(stalled)
        let beginning = try await begin(healthy)
        XCTAssertEqual(beginning.remaining, 3)

        let zombie = try await XCTUnwrapAsync(try await stalled.claimEpisode())
        XCTAssertEqual(zombie.plan.index, 0)
        try await zombie.start(startURL: "http://shop.test/", account: nil, shard: "0/1", instance: 0)
        try await zombie.record(step: Self.outcome("zombie").steps[0])
        // The healthy worker takes the free episodes first, then the zombie's once its lease ran out.
        let first = try await XCTUnwrapAsync(try await healthy.claimEpisode())
        XCTAssertEqual(first.plan.index, 1)
        try await Task.sleep(nanoseconds: 700_000_000)
        let takeover = try await XCTUnwrapAsync(try await healthy.claimEpisode())
        XCTAssertEqual(takeover.plan.index, 0, "an expired lease is claimable before the pending episode 2")

        do {
            _ = try await zombie.finish(outcome: Self.outcome("zombie"), demonstrations: [], skipped: [])
            XCTFail("the stalled worker's commit went through after its lease was taken over")
        } catch PostgresStoreError.leaseLost(let episode) {
            XCTAssertEqual(episode, 0)
        }
        await zombie.fail(error: "late")   // fenced too: must not touch the new holder's row

        try await takeover.start(startURL: "http://shop.test/", account: nil, shard: "0/1", instance: 0)
        for step in Self.outcome("healthy").steps { try await takeover.record(step: step) }
        _ = try await takeover.finish(outcome: Self.outcome("healthy"), demonstrations: [], skipped: [])

        let queue = try await TestDatabase.rows(url, "SELECT idx::text, status, commits::text, attempts::text FROM episode_queue ORDER BY idx")
        XCTAssertEqual(queue[0], ["0", "completed", "1", "2"])
        XCTAssertEqual(queue[1][1], "running")
        XCTAssertEqual(queue[2], ["2", "pending", "0", "0"])
        let steps = try await TestDatabase.rows(url, "SELECT observation FROM steps WHERE episode = 0 ORDER BY idx")
        XCTAssertEqual(steps, [["healthy"], ["healthy after"]], "only the lease holder's rows are committed")
    }

    func testAWorkerOfAnotherCrawlIsRefused() async throws {
        let url = try await TestDatabase.fresh()
        let first = try await PostgresCrawlBackend.open(url)
        defer { first.session.close() }
        _ = try await begin(first)
        let second = try await PostgresCrawlBackend.open(url)
        defer { second.session.close() }
        do {
            _ = try await second.begin(model: "another-model", sites: ["shop"], episodes: plans.count,
                                       config: ExplorationConfig(), plans: plans)
            XCTFail("a worker with another model joined the crawl")
        } catch {
            XCTAssertTrue("\(error)".contains("another-model"), "\(error)")
        }
    }

    func testMigrationsRunOnceEvenWhenWorkersStartTogether() async throws {
        let url = try await TestDatabase.fresh()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 { group.addTask { (try await PostgresCrawlBackend.open(url)).session.close() } }
            try await group.waitForAll()
        }
        let versions = try await TestDatabase.rows(url, "SELECT version FROM nnetnav_migrations")
        // Each migration recorded exactly once, however many workers raced to apply it.
        XCTAssertEqual(versions.sorted { $0[0] < $1[0] }, [["v1"], ["v2-responses"], ["v3-step-screenshot"]])
    }
}

func XCTUnwrapAsync<T>(_ value: @autoclosure () async throws -> T?, file: StaticString = #filePath,
                       line: UInt = #line) async throws -> T {
    let v = try await value()
    return try XCTUnwrap(v, file: file, line: line)
}
