import ChromiumBrowser
import Foundation
import Pipeline
import XCTest
@testable import Environments
import TestSupport

/// `MiniWoBPool`: where exploration episodes start, in headless Chromium on the real task pages.
final class MiniWoBPoolTests: XCTestCase {
    func makePool(instances: Int) async throws -> MiniWoBPool {
        try TestRequirements.chromium()
        let pages: MiniWoBPages
        pages = try TestRequirements.miniWoBPages()
        return try await MiniWoBPool.launch(pages: pages, instances: instances,
                                            firstSeed: try MiniWoBTaskSet.load().explorationFirstSeed)
    }

    /// An episode's start URL depends only on its site and index, never on the instance or on what
    /// ran before, so a resumed or sharded crawl loads the same page; its seeds are never evaluation seeds.
    func testStartURLsAreDeterministicPerEpisodeAndAvoidEvaluationSeeds() async throws {
        let pool = try await makePool(instances: 2)
        defer { pool.shutdown() }
        let taskSet = try MiniWoBTaskSet.load()
        let site = MiniWoBPool.site(task: "login-user")
        XCTAssertEqual(site, "miniwob/login-user")
        XCTAssertEqual(try MiniWoBPool.task(of: site), "login-user")

        let url = try await pool.startURL(site: site, instance: 0, episode: 3)
        XCTAssertEqual(url, "miniwob://login-user?seed=\(taskSet.explorationFirstSeed + 3)")
        let again = try await pool.startURL(site: site, instance: 1, episode: 3)
        XCTAssertEqual(again, url)
        let other = try await pool.startURL(site: site, instance: 0, episode: 4)
        XCTAssertNotEqual(other, url)

        let evaluation = Set(taskSet.evaluationSeeds.seeds)
        for episode in 0..<500 { XCTAssertFalse(evaluation.contains(pool.seed(episode: episode)), "episode \(episode)") }

        // The same URL gives the same task instance on either instance's browser.
        let first = try await pool.environment(instance: 0)
        let second = try await pool.environment(instance: 1)
        let a = try await first.reset(startURL: url)
        let b = try await second.reset(startURL: url)
        let utterance = try XCTUnwrap((first as? MiniWoBEnvironment)?.utterance)
        XCTAssertFalse(utterance.isEmpty)
        XCTAssertEqual((second as? MiniWoBEnvironment)?.utterance, utterance)
        XCTAssertEqual(a.text, b.text)
        XCTAssertNil(first.pageTaskResult, "a freshly loaded task has not ended")
        _ = try await first.reset(startURL: other)
        XCTAssertNotEqual((first as? MiniWoBEnvironment)?.utterance, utterance, "another episode gets another instance")
    }

    func testSitesThatAreNotMiniWoBTasksAreRejectedClearly() async throws {
        let pool = try await makePool(instances: 1)
        defer { pool.shutdown() }
        do {
            _ = try await pool.startURL(site: "shop", instance: 0, episode: 0)
            XCTFail("shop is not a MiniWoB++ site")
        } catch {
            XCTAssertTrue("\(error)".contains("miniwob/<task>"), "\(error)")
        }
        do {
            _ = try await pool.startURL(site: "miniwob/no-such-task", instance: 0, episode: 0)
            XCTFail("no page for the task")
        } catch {
            XCTAssertTrue("\(error)".contains("no-such-task"), "\(error)")
        }
    }
}
