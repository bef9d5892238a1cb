import Foundation
import XCTest
@testable import MainJob
import NNetnavSupport
import TestSupport

final class MainJobConfigTests: XCTestCase {
    func testOverridesMergeIntoDefaultsAtAnyDepth() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-config-\(UUID()).json")
        try Data(#"{"episodes": 50, "exploration": {"maxActions": 40}, "training": {"loraRank": 0}}"#.utf8).write(to: file)
        let config = try MainJobConfig.load(from: file)
        let defaults = MainJobConfig()
        XCTAssertEqual(config.episodes, 50)
        XCTAssertEqual(config.exploration.maxActions, 40)
        XCTAssertEqual(config.exploration.labelInterval, defaults.exploration.labelInterval)
        XCTAssertEqual(config.exploration.maxObservationTokens, defaults.exploration.maxObservationTokens,
                       "keys not given keep the main job's defaults, not ExplorationConfig's")
        XCTAssertEqual(config.training.loraRank, 0)
        XCTAssertEqual(config.training.steps, defaults.training.steps)
        XCTAssertEqual(config.sites, defaults.sites)
    }

    func testCommittedDefaultConfigMatchesTheCode() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("configs/default.json")
        let committed = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! NSDictionary
        let code = try JSONSerialization.jsonObject(with: JSONEncoder().encode(MainJobConfig())) as! NSDictionary
        XCTAssertEqual(committed, code, "regenerate with: nnetnav run --print-config > configs/default.json")
    }

    func testBadConfigIsAClearError() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-config-\(UUID()).json")
        try Data(#"{"episodes": "many"}"#.utf8).write(to: file)
        XCTAssertThrowsError(try MainJobConfig.load(from: file)) { error in
            XCTAssertTrue("\(error)".contains(file.path))
        }
    }

    private func load(_ json: String) throws -> MainJobConfig {
        try ConfigFileAssertions.load(json, with: MainJobConfig.load(from:))
    }

    private func assertRejected(_ json: String, naming key: String, file: StaticString = #filePath, line: UInt = #line) {
        ConfigFileAssertions.assertRejected(json, naming: key, with: MainJobConfig.load(from:), file: file, line: line)
    }

    /// Issue 13, item 12: a misspelt key was silently ignored, so the run used the default.
    func testUnknownKeysAreErrorsNamingTheKeyAtAnyDepth() {
        assertRejected(#"{"episode": 50}"#, naming: "episode")
        assertRejected(#"{"exploration": {"maxAction": 40}}"#, naming: "exploration.maxAction")
        assertRejected(#"{"training": {"lora_rank": 4}}"#, naming: "training.lora_rank")
    }

    /// Issue 13, item 12: out-of-range values were accepted (and trapped or misbehaved later).
    func testOutOfRangeValuesAreErrorsNamingTheKey() {
        assertRejected(#"{"episodes": -1}"#, naming: "episodes")
        assertRejected(#"{"instances": 0}"#, naming: "instances")
        assertRejected(#"{"exploration": {"maxActions": -3}}"#, naming: "exploration.maxActions")
        assertRejected(#"{"export": {"validationPercent": 120}}"#, naming: "export.validationPercent")
        assertRejected(#"{"training": {"batchSize": 0}}"#, naming: "training.batchSize")
        assertRejected(#"{"evaluation": {"maxSteps": -1}}"#, naming: "evaluation.maxSteps")
        assertRejected(#"{"sites": ["shop", "mall"]}"#, naming: "sites")
        assertRejected(#"{"browser": "firefox"}"#, naming: "browser")
        assertRejected(#"{"training": {"actionWeights": {"stopp": 0.3}}}"#, naming: "training.actionWeights")
        assertRejected(#"{"training": {"actionWeights": {"stop": -1}}}"#, naming: "training.actionWeights")
    }

    func testWrongTypesNameTheKey() {
        assertRejected(#"{"training": {"steps": "many"}}"#, naming: "training.steps")
    }

    func testOptionalKeysThatDefaultToNilAreKnown() throws {
        let config = try load(#"{"student": "local:models/x.gguf", "exploration": {"siteMaxActions": {"shop": 5}}}"#)
        XCTAssertEqual(config.studentPath, "models/x.gguf")
        XCTAssertEqual(config.exploration.siteMaxActions, ["shop": 5])
    }

    func testTablesAreReplacedWholeAndSectionsMergedKeyByKey() throws {
        XCTAssertEqual(MainJobConfig().training.actionWeights, ["stop": 0.25])
        XCTAssertEqual(try load(#"{"training": {"actionWeights": {}}}"#).training.actionWeights, [:])
        let typed = try load(#"{"training": {"actionWeights": {"type": 2}, "steps": 7}}"#)
        XCTAssertEqual(typed.training.actionWeights, ["type": 2])
        XCTAssertEqual(typed.training.steps, 7)
        XCTAssertEqual(typed.training.loraRank, MainJobConfig().training.loraRank)
    }

    func testCommittedConfigsLoad() throws {
        let configs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("configs")
        for name in ["default.json", "remote-large.json"] {
            XCTAssertNoThrow(try MainJobConfig.load(from: configs.appendingPathComponent(name)), name)
        }
    }
}
