import Foundation
import XCTest
@testable import Experiment
import NNetnavSupport
import WebSites
import WebTasks

final class TaskSplitTests: XCTestCase {
    func allSets() throws -> [TaskSet] { try SiteName.allCases.map { try TaskSet.load(site: $0) } }

    /// The recorded split covers every task of every site exactly once.
    func testRecordedSplitCoversEveryTaskOnce() throws {
        let split = try TaskSplit.load()
        let sets = try allSets()
        XCTAssertEqual(split.problems(against: sets), [], "regenerate with `nnetnav experiment --write-split` only when adding tasks on purpose")
        for set in sets {
            XCTAssertFalse(split.tasks(of: set, heldOut: true).isEmpty, "\(set.site) has held-out tasks")
            XCTAssertFalse(split.tasks(of: set, heldOut: false).isEmpty, "\(set.site) has training tasks")
        }
    }

    /// The recorded file is what `draw` made, so the split is reproducible from the task sets it was drawn on.
    func testRecordedSplitIsTheDrawnOne() throws {
        XCTAssertEqual(try TaskSplit.load(), TaskSplit.draw(try allSets()))
    }

    /// Both parts span the same difficulties: alternating over the difficulty order leaves at most
    /// one task of difference per difficulty boundary.
    func testDrawAlternatesOverDifficulty() throws {
        let split = TaskSplit.draw(try allSets())
        for set in try allSets() {
            let held = split.tasks(of: set, heldOut: true), train = split.tasks(of: set, heldOut: false)
            XCTAssertLessThanOrEqual(abs(held.count - train.count), 1)
            XCTAssertEqual(held.first?.difficulty, set.tasks.map(\.difficulty).min(), "the easiest task is held out")
        }
    }

    func testProblemsAreNamed() throws {
        var split = TaskSplit.draw(try allSets())
        let shop = try TaskSet.load(site: .shop)
        let moved = split.training["shop"]!.first!
        split.heldOut["shop"]!.append(moved)
        split.training["shop"]!.append(99_999)
        let dropped = split.heldOut["shop"]!.first!
        split.heldOut["shop"]!.removeAll { $0 == dropped }
        let problems = split.problems(against: [shop])
        XCTAssertTrue(problems.contains("shop task \(moved) is in both parts"), "\(problems)")
        XCTAssertTrue(problems.contains("shop task 99999 does not exist"), "\(problems)")
        XCTAssertTrue(problems.contains { $0.hasSuffix("is in neither part") }, "\(problems)")
    }
}
