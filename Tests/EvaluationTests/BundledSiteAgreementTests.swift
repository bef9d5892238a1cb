import ChromiumBrowser
import Foundation
import WebBrowser
import WebSites
import WebTasks
import XCTest
@testable import Evaluation
import TestSupport

/// The two browser backends on the bundled sites' real pages: the same roles and names for
/// static content (ids and properties aside). Prints the agreement rate per page.
final class BundledSiteAgreementTests: XCTestCase {
    func testNativeAndChromiumAgreeOnTheBundledSites() async throws {
        try TestRequirements.chromium()
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-agreement-\(getpid())")
        let cluster = try await SiteCluster.start(sites: [.shop, .forum, .code, .wiki], dataDirectory: data, seed: TaskSet.seed)
        var configuration = ChromiumBrowser.Configuration()
        configuration.viewportOnly = false
        let browser = try await ChromiumBrowser.launch(configuration)
        defer { browser.close() }
        let chromium = browser.makeEnvironment()
        let native = BrowserSession(configuration: BrowserConfiguration(viewportLines: 0))
        let pages = [
            await cluster.baseURL(.shop) + "/",
            await cluster.baseURL(.shop) + "/search?q=lamp",
            await cluster.baseURL(.forum) + "/",
            await cluster.baseURL(.code) + "/explore",
            await cluster.baseURL(.wiki) + "/",
        ]
        var matched = 0, total = 0
        var report: [String] = []
        do {
            for url in pages {
                let nativeText = try await native.reset(startURL: url).text
                let chromiumText = try await chromium.reset(startURL: url).text
                let agreement = ObservationAgreement(nativeText, chromiumText)
                matched += agreement.matched
                total += agreement.matched + max(agreement.onlyInFirst.count, agreement.onlyInSecond.count)
                report.append("\(url): \(agreement)\n\(agreement.sampleDifferences())")
            }
        } catch {
            await chromium.close()
            await cluster.shutdown()
            throw error
        }
        await chromium.close()
        await cluster.shutdown()
        let rate = Double(matched) / Double(max(total, 1))
        print("bundled sites, native vs chromium roles+names:\n" + report.joined(separator: "\n"))
        print(String(format: "bundled-site agreement: %.1f%% (%d of %d lines)", rate * 100, matched, total))
        XCTAssertGreaterThan(rate, 0.8, report.joined(separator: "\n"))
    }
}
