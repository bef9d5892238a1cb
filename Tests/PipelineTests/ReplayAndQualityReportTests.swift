import XCTest
import TestSupport
import GRDB
import LanguageModels
import WebBrowser
@testable import Pipeline

/// Stable step locators, `DemonstrationReplayer`, the additive store migration and the quality report.
final class ReplayAndQualityReportTests: XCTestCase {
    let page = """
        Tab 0 (current): Shop

        [1] RootWebArea 'Shop' focused: True
        \t[5] navigation 'Main'
        \t\t[10] link 'Home'
        \t\t[11] link 'Kettle'
        \t[20] main ''
        \t\t[21] link 'Kettle'
        \t\t[22] button 'Add to Cart'
        """

    func testLocatorKeepsRoleNameAncestryAndFindsTheTargetAfterIdsShift() throws {
        let locator = try XCTUnwrap(StepLocator.make(id: 21, observationText: page, selector: "main > a:nth-of-type(1)"))
        // The nav's "Kettle" has another ancestry, so this is the first (role, name, ancestry) match.
        XCTAssertEqual(locator, StepLocator(role: "link", name: "Kettle", ancestry: [], occurrence: 0,
                                            selector: "main > a:nth-of-type(1)"))
        let inNav = try XCTUnwrap(StepLocator.make(id: 11, observationText: page))
        XCTAssertEqual(inNav.ancestry, ["navigation 'Main'"])
        // A banner above shifts every id; the locator still finds each target.
        let shifted = page.replacingOccurrences(of: "[1] RootWebArea 'Shop' focused: True",
                                                with: "[1] RootWebArea 'Shop' focused: True\n\t[2] banner 'Sale'")
            .replacingOccurrences(of: "[10]", with: "[110]").replacingOccurrences(of: "[11]", with: "[111]")
            .replacingOccurrences(of: "[21]", with: "[121]").replacingOccurrences(of: "[22]", with: "[122]")
        XCTAssertEqual(inNav.resolve(in: shifted), 111)
        XCTAssertEqual(locator.resolve(in: shifted), 121)
        XCTAssertNil(StepLocator(role: "link", name: "Gone", ancestry: [], occurrence: 0).resolve(in: shifted))
        XCTAssertNil(StepLocator.make(id: 99, observationText: page))
    }

    func testHTMLSelectorOfTheBundledBrowsersDOM() throws {
        let document = HTMLDocument.parse(html: "<html><body><nav id=\"top\"><a href=\"/\">Home</a><a href=\"/k\">Kettle</a></nav></body></html>",
                                           url: "http://shop.test/")
        let link = try XCTUnwrap(document.root.descendants().first { $0.tag == "a" && $0.textContent == "Kettle" })
        XCTAssertEqual(HTMLSelector.path(to: link), "nav#top > a:nth-of-type(2)")
    }

    /// Crawl the static shop with the canned model, then replay every demonstration: on the same site all
    /// replay; on a site whose ids shifted, the locators still reach the same final URL, ids alone do not.
    func testReplayReachesTheSameFinalStateByLocator() async throws {
        let store = try CrawlStore()
        _ = try await CrawlFixtures.crawler(model: CannedChatModel(prompts: CrawlFixtures.prompts), store: store,
                                            pool: StaticSitePool(instances: 1), episodes: 1).run()
        let demos = try store.demonstrations()
        XCTAssertFalse(demos.isEmpty)
        XCTAssertTrue(demos.allSatisfy { $0.steps.allSatisfy { $0.locator?.role == "link" } }, "every click stores its locator")

        let same = try await DemonstrationReplayer(environments: StaticSitePool(instances: 1)).replay(demos.map(DemonstrationReplayer.Item.init))
        XCTAssertEqual(same.filter(\.replayed).count, demos.count, "\(same.map(\.detail))")
        try await store.record(replays: same)
        XCTAssertEqual(try QualityReport(store: store).overall.replayRate, 1)

        let shifted = ShiftedSitePool()
        let byLocator = try await DemonstrationReplayer(environments: shifted).replay(demos.map(DemonstrationReplayer.Item.init))
        XCTAssertTrue(byLocator.allSatisfy(\.sameURL), "\(byLocator.map(\.detail))")
        XCTAssertTrue(byLocator.allSatisfy { $0.stepsResolved == $0.steps })
        var idsOnly = demos.map(DemonstrationReplayer.Item.init)
        for i in idsOnly.indices { idsOnly[i].steps = idsOnly[i].steps.map { ($0.url, $0.action, nil) } }
        let byID = try await DemonstrationReplayer(environments: ShiftedSitePool()).replay(idsOnly)
        XCTAssertFalse(byID.allSatisfy(\.sameURL), "without locators the shifted ids lead elsewhere")
    }

    func testTrajectoryRowsCarryLocatorsForReplayFromData() throws {
        let locator = StepLocator(role: "link", name: "Kettle", ancestry: ["main ''"], occurrence: 0, selector: "a")
        let json = #"{"url":"http://shop.test/","observation":"o","action":"click [3]","action_description":"d","state_change":"s","rationale":"r","locator":{"role":"link","name":"Kettle","ancestry":["main ''"],"occurrence":0,"selector":"a"}}"#
        XCTAssertEqual(try JSONDecoder().decode(TrajectoryRow.Step.self, from: Data(json.utf8)).locator, locator)
        let old = #"{"url":"u","observation":"o","action":"click [3]","action_description":"d","state_change":"s","rationale":"r"}"#
        XCTAssertNil(try JSONDecoder().decode(TrajectoryRow.Step.self, from: Data(old.utf8)).locator, "rows from before locators still read")
    }

    /// A store written before the quality columns gains them, keeps its rows, and reports without replays.
    func testMigrationIsAdditive() throws {
        let path = try CrawlFixtures.temporaryDirectory().appendingPathComponent("old.sqlite").path
        let queue = try DatabaseQueue(path: path)
        try CrawlStore.migrator.migrate(queue, upTo: "v2-task-reward")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO episodes (idx, site, persona, start_url, status, shard, instance, started_at)
                VALUES (0, 'shop', 'p', 'http://shop.test/', 'completed', '0/1', 0, 'now');
                INSERT INTO steps (episode, idx, url, observation, action) VALUES (0, 0, 'http://shop.test/', 'o', 'click [1]');
                """)
        }
        try queue.close()
        let store = try CrawlStore(path: path)
        let columns = try store.database.read { db in try db.columns(in: "steps").map(\.name) }
        XCTAssertTrue(columns.contains("locator_json") && columns.contains("error"))
        let report = try QualityReport(store: store)
        XCTAssertEqual(report.overall.actions, 1)
        XCTAssertNil(report.overall.replayRate)
    }

    func testQualityReportOnACannedCrawl() async throws {
        let store = try CrawlStore()
        let model = CannedChatModel(prompts: CrawlFixtures.prompts, wrongFirstRationale: { $0 == "click [11]" })
        _ = try await CrawlFixtures.crawler(model: model, store: store, pool: StaticSitePool(instances: 1), episodes: 2).run()
        let report = try QualityReport(store: store)
        let demos = try store.demonstrations()
        XCTAssertEqual(report.overall.demonstrations, demos.count)
        XCTAssertEqual(report.sites.map(\.site), ["shop"])
        XCTAssertEqual(report.overall.actionMix["click"], report.overall.actions, "the canned policy only clicks")
        XCTAssertEqual(report.overall.failedActionRate, 0)
        XCTAssertEqual(report.overall.signedInRate, 0, "the static shop has no sign-out control")
        XCTAssertEqual(report.overall.judgeScores[5], 4, "depths 4 and 8 of both episodes")
        // "Open the <page title> page ..." names the page the trajectory reached.
        XCTAssertEqual(report.overall.groundedRate, 1)
        XCTAssertEqual(report.overall.instructionFilterPassRate, 1)
        let steps = demos.flatMap(\.steps)
        XCTAssertEqual(report.overall.templateRationaleRate ?? -1,
                       Double(steps.filter(\.templateRationale).count) / Double(steps.count), accuracy: 1e-9)
        let calls = try await store.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM model_calls")! }
        XCTAssertEqual(report.callsPerDemonstration ?? 0, Double(calls) / Double(demos.count), accuracy: 1e-9)
        XCTAssertTrue(report.table.contains("replay rate"))
        XCTAssertTrue(report.table.contains("calls and"))
        XCTAssertTrue(report.html.contains("<svg"))
    }

    func testGroundingRejectsInstructionsThatNameNothingTheTrajectoryReached() {
        func demo(_ instruction: String) -> Demonstration {
            Demonstration(episode: 0, site: "shop", persona: "", depth: 1, instruction: instruction, judgeScore: 5,
                          steps: [.init(url: "http://shop.test/", observation: "Tab 0 (current): Home\n\n[1] RootWebArea 'Home'\n\t[10] link 'Kettle'",
                                        action: "click [10]", actionDescription: "click [10] where [10] is link 'Kettle'",
                                        stateChange: "", rationale: "", templateRationale: false)],
                          finalURL: "http://shop.test/p/kettle", finalObservation: "Tab 0 (current): Kettle $19.99\n\n[1] RootWebArea 'Kettle $19.99'",
                          stopAction: "stop [19.99]", stopRaw: "", stopParsed: true)
        }
        XCTAssertTrue(GroundingCheck.isGrounded(demo("Open the kettles product page")))
        XCTAssertTrue(GroundingCheck.isGrounded(demo("What is the price of the kettle?")))
        XCTAssertFalse(GroundingCheck.isGrounded(demo("Keep your answers to this question in a tabular format")))
        XCTAssertFalse(GroundingCheck.isGrounded(demo("Find the cheapest camera")))
    }
}

/// Test double pool: the static shop with a "Deals" link first on every page, so every link id is one higher.
final class ShiftedSitePool: EnvironmentPool, @unchecked Sendable {
    let environment: StaticSiteEnvironment = {
        let base = StaticSiteEnvironment.shop()
        var pages = base.pages
        for key in pages.keys { pages[key]!.links.insert(("Deals", "/"), at: 0) }
        return StaticSiteEnvironment(host: "http://shop.test", pages: pages)
    }()
    var instanceCount: Int { 1 }
    func environment(instance: Int) async throws -> any BrowserEnvironment { environment }
    func startURL(site: String, instance: Int, episode: Int) async throws -> String { environment.host + "/" }
    func resetSite(_ site: String, instance: Int) async throws {}
}
