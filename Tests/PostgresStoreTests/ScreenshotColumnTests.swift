import Foundation
@testable import Pipeline
@testable import PostgresStore
import XCTest

/// A step's screenshot through the shared store: written by a worker's claim (migration v3 added
/// the BYTEA column), committed, and copied byte for byte into the SQLite snapshot that `view` and
/// `export` read; steps without one stay NULL.
final class ScreenshotColumnTests: XCTestCase {
    func testAStepsScreenshotRoundTripsThroughPostgreSQLIntoTheSnapshot() async throws {
        let url = try await TestDatabase.fresh()
        let backend = try await PostgresCrawlBackend.open(url, leaseSeconds: 30)
        defer { backend.session.close() }
        let plan = EpisodePlan(index: 0, site: "shop", persona: Persona(name: "P", description: "tester"))
        _ = try await backend.begin(model: "canned:test-double", sites: ["shop"], episodes: 1, config: ExplorationConfig(),
                                    plans: [plan])
        // Every byte value, so an encoding that treats the bytes as text would show.
        let jpeg = Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00]) + Data((0...255).map(UInt8.init)) + Data([0xFF, 0xD9])
        let steps = [ExploredStep(index: 0, url: "http://shop.test/", observation: "page", action: "click [1]", screenshot: jpeg),
                     ExploredStep(index: 1, url: "http://shop.test/a", observation: "after")]
        let claim = try await XCTUnwrapAsync(try await backend.claimEpisode())
        try await claim.start(startURL: "http://shop.test/", account: nil, shard: "0/1", instance: 0)
        for step in steps { try await claim.record(step: step) }
        _ = try await claim.finish(outcome: EpisodeOutcome(steps: steps, checkpoints: [], stopReason: .maxActions, stopDetail: "test"),
                                   demonstrations: [], skipped: [])

        let sizes = try await TestDatabase.rows(url, "SELECT idx::text, coalesce(octet_length(screenshot)::text, 'NULL') FROM steps ORDER BY idx")
        XCTAssertEqual(sizes, [["0", "\(jpeg.count)"], ["1", "NULL"]])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pg-shot-\(UUID().uuidString).sqlite").path
        let snapshot = try await backend.snapshot(to: path)
        let column = CrawlTable.steps.position(of: "screenshot")
        XCTAssertEqual(try snapshot.rows(of: .steps).map { $0[column] }, [.blob(jpeg), .null])
    }
}
