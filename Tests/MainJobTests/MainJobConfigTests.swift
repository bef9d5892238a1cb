import Foundation
import XCTest
@testable import MainJob

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
}
