import Foundation
import NNetnavSupport
import Pipeline
import TestSupport
import XCTest

/// `nnetnav explore --config FILE` (issue 13, item 12): a misspelt key or a value out of range
/// used to be ignored or to trap mid-crawl; now it is an error naming the file and the key.
final class ExplorationConfigFileTests: XCTestCase {
    private func load(_ json: String) throws -> ExplorationConfig {
        try ConfigFileAssertions.load(json, with: ExplorationConfig.load(from:))
    }

    private func assertRejected(_ json: String, naming key: String, file: StaticString = #filePath, line: UInt = #line) {
        ConfigFileAssertions.assertRejected(json, naming: key, with: ExplorationConfig.load(from:), file: file, line: line)
    }

    func testUnknownKeysAreErrors() {
        assertRejected(#"{"maxActionz": 12}"#, naming: "maxActionz")
        assertRejected(#"{"model": "local", "exploration": {"labelIntervall": 2}}"#, naming: "exploration.labelIntervall")
    }

    func testOutOfRangeValuesAreErrors() {
        assertRejected(#"{"maxActions": -1}"#, naming: "maxActions")
        assertRejected(#"{"labelInterval": 0}"#, naming: "labelInterval")
        assertRejected(#"{"exploration": {"policyTopP": 1.5}}"#, naming: "exploration.policyTopP")
        assertRejected(#"{"maxDemonstrationsPerEpisode": 0}"#, naming: "maxDemonstrationsPerEpisode")
        assertRejected(#"{"siteMaxActions": {"shop": -2}}"#, naming: "siteMaxActions.shop")
    }

    func testWrongTypeNamesTheKey() {
        assertRejected(#"{"exploration": {"maxActions": "forty"}}"#, naming: "exploration.maxActions")
    }

    func testGoodFilesStillLoad() throws {
        XCTAssertEqual(try load(#"{"maxActions": 12, "maxDemonstrationsPerEpisode": null}"#).maxActions, 12)
        XCTAssertEqual(try load(#"{"model": "local", "exploration": {"labelInterval": 2}}"#).labelInterval, 2)
    }
}
