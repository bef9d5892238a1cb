import XCTest
@testable import Trainer

/// The memory plan: activations linear in the row length, recomputation switched on only when
/// keeping every block would not fit, and a clear refusal when even that does not fit.
final class TrainingMemoryTests: XCTestCase {
    func testActivationMemoryIsLinearInTheRowLength() {
        let m = TinyFixture.model()
        for recompute in [false, true] {
            func bytes(_ t: Int) -> Int { m.activationBytes(batch: 1, seq: t, recompute: recompute) }
            XCTAssertEqual(bytes(8192) - bytes(4096), 2 * (bytes(4096) - bytes(2048)), "recompute \(recompute)")
            XCTAssertEqual(bytes(2048) - bytes(1024), bytes(4096) - bytes(3072), "recompute \(recompute)")
        }
    }

    func testRecomputationOnlyWhenKeepingEveryBlockDoesNotFit() throws {
        let keepAll = TinyFixture.model()
        let roomy = try keepAll.planMemory(batch: 2, seq: 64, budget: Int.max)
        XCTAssertFalse(keepAll.recompute)
        XCTAssertFalse(roomy.recompute)

        let tight = TinyFixture.model()
        let lean = tight.memoryEstimate(batch: 2, seq: 64, recompute: true)
        let full = tight.memoryEstimate(batch: 2, seq: 64, recompute: false)
        XCTAssertLessThan(lean.total, full.total)
        let chosen = try tight.planMemory(batch: 2, seq: 64, budget: lean.total)
        XCTAssertTrue(tight.recompute)
        XCTAssertEqual(chosen.total, lean.total)
    }

    func testASettingThatCannotFitIsRefused() {
        let m = TinyFixture.model(lora: LoRAConfig(rank: 4, alpha: 8))
        let lean = m.memoryEstimate(batch: 2, seq: 64, recompute: true)
        XCTAssertThrowsError(try m.planMemory(batch: 2, seq: 64, budget: lean.total - 1)) { error in
            guard case TrainerError.doesNotFit(let message) = error else { return XCTFail("unexpected error \(error)") }
            XCTAssertTrue(message.contains("--batch-size"), message)
        }
    }

    func testEstimateCountsWhatTheStepAllocates() {
        // The estimate's activation part is the arena `step` allocates (same table).
        let m = TinyFixture.model()
        let b = TinyFixture.batch()
        XCTAssertEqual(m.memoryEstimate(batch: b.batch, seq: b.seq, recompute: false).activations,
                       m.activationBytes(batch: b.batch, seq: b.seq))
        XCTAssertEqual(m.memoryEstimate(batch: 1, seq: 8, recompute: false).optimizer, 2 * m.parameters.count * 4)
    }
}
