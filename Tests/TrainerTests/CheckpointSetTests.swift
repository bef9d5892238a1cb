import Foundation
import LlamaModel
import XCTest
@testable import Trainer

/// Checkpoints replaced as a set and verified on resume (issue 14 item 4).
final class CheckpointSetTests: XCTestCase {
    private func tempDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-ckptset-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private func options() -> TrainingOptions {
        var o = TrainingOptions()
        o.batchSize = 1
        o.sequenceLength = 32
        o.steps = 4
        o.optimizer.totalSteps = 4
        return o
    }

    private func tuner(steps: Int) -> (FineTuner, String) {
        let rows = SequencePacker.pack(TrainingLoopTests.demonstrations(), seq: 32)
        let tuner = FineTuner(model: TinyFixture.model(), rows: rows, options: options())
        for _ in 0..<steps { _ = tuner.trainStep() }
        return (tuner, ContentDigest.rows(rows))
    }

    func testASaveIsOneSwitchOfTheCheckpointLinkAndOldSetsAreRemoved() throws {
        let dir = tempDirectory()
        let checkpoint = Checkpoint(directory: dir)
        let (t, data) = tuner(steps: 1)
        try checkpoint.save(t, dataFingerprint: data)
        _ = t.trainStep()
        try checkpoint.save(t, dataFingerprint: data)
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: dir.appendingPathComponent("checkpoint").path)
        let sets = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".checkpoint.set-") }
        XCTAssertEqual(sets, [link], "only the current set is kept")
        XCTAssertEqual(try checkpoint.verifyResume(options: options(), dataFingerprint: data).step, 2)
    }

    func testAKillDuringASaveLeavesThePreviousCompleteCheckpoint() throws {
        let dir = tempDirectory()
        let checkpoint = Checkpoint(directory: dir)
        let (t, data) = tuner(steps: 1)
        try checkpoint.save(t, dataFingerprint: data)
        let before = try Data(contentsOf: checkpoint.modelURL)

        // A save that dies after writing part of its files (as a kill would leave it).
        struct Killed: Error {}
        _ = t.trainStep()
        XCTAssertThrowsError(try CheckpointSetWriter.write(in: dir) { folder in
            try t.model.exportWeights().write(safetensors: folder.appendingPathComponent("model.safetensors"))
            throw Killed()
        })
        // And a half-written folder left by a real kill (no cleanup ran).
        let orphan = dir.appendingPathComponent(".checkpoint.set-orphan")
        try FileManager.default.createDirectory(at: orphan, withIntermediateDirectories: true)
        try Data("{".utf8).write(to: orphan.appendingPathComponent("trainer_state.json"))

        XCTAssertEqual(try Data(contentsOf: checkpoint.modelURL), before, "the previous weights are intact")
        let state = try checkpoint.verifyResume(options: options(), dataFingerprint: data)
        XCTAssertEqual(state.step, 1, "and still belong with their state")
        try checkpoint.save(t, dataFingerprint: data)
        XCTAssertFalse(FileManager.default.fileExists(atPath: orphan.path), "the next save clears leftovers")
    }

    func testResumeRefusesFilesThatDoNotBelongTogether() throws {
        let one = Checkpoint(directory: tempDirectory()), two = Checkpoint(directory: tempDirectory())
        let (t, data) = tuner(steps: 1)
        try one.save(t, dataFingerprint: data)
        _ = t.trainStep()
        try two.save(t, dataFingerprint: data)
        // Weights of step 2 copied over a step-1 checkpoint.
        try FileManager.default.removeItem(at: one.modelURL)
        try FileManager.default.copyItem(at: two.modelURL, to: one.modelURL)
        XCTAssertThrowsError(try one.verifyResume(options: options(), dataFingerprint: data)) { error in
            XCTAssertTrue("\(error)".contains("model.safetensors"), "\(error)")
        }
    }

    func testResumeRefusesChangedOptionsOrData() throws {
        let checkpoint = Checkpoint(directory: tempDirectory())
        let (t, data) = tuner(steps: 1)
        try checkpoint.save(t, dataFingerprint: data)
        var changed = options()
        changed.seed = 7
        XCTAssertThrowsError(try checkpoint.verifyResume(options: changed, dataFingerprint: data)) { error in
            XCTAssertTrue("\(error)".contains("seed 42 → 7"), "\(error)")
        }
        XCTAssertThrowsError(try checkpoint.verifyResume(options: options(), dataFingerprint: "0123456789abcdef")) { error in
            XCTAssertTrue("\(error)".contains("training data changed"), "\(error)")
        }
        XCTAssertNoThrow(try checkpoint.verifyResume(options: options(), dataFingerprint: data))
    }
}
