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

/// The plan under `--precision bf16`: smaller, still linear, still exactly the arena, still refused when too big.
final class MixedPrecisionMemoryTests: XCTestCase {
    func testBF16ActivationMemoryIsLinearAndSmaller() {
        // Four blocks: with two, one fp32 working block plus two packed ones is no less than two fp32 blocks.
        var config = TinyFixture.config
        config.layerCount = 4
        let m = TinyFixture.model(precision: .bf16, config: config)
        func bytes(_ t: Int, _ p: TrainingPrecision) -> Int { m.activationBytes(batch: 1, seq: t, recompute: false, precision: p) }
        XCTAssertEqual(bytes(8192, .bf16) - bytes(4096, .bf16), 2 * (bytes(4096, .bf16) - bytes(2048, .bf16)))
        XCTAssertLessThan(bytes(4096, .bf16), bytes(4096, .fp32))
        // Recomputation keeps one fp32 block whatever the precision.
        XCTAssertEqual(m.activationBytes(batch: 1, seq: 512, recompute: true, precision: .bf16),
                       m.activationBytes(batch: 1, seq: 512, recompute: true, precision: .fp32))
        XCTAssertEqual(m.memoryEstimate(batch: 1, seq: 64, recompute: false).precision, .bf16)
        XCTAssertTrue(m.memoryEstimate(batch: 1, seq: 64, recompute: false).description.contains("bf16"))
    }

    func testBF16SavesMostOfTheKeptBlocksAtSmolLM2sShape() {
        // At SmolLM2's shape the per-token tensors are nearly all of a kept block: the estimate's
        // growth per 1k tokens drops by more than 40% (counted from the table, nothing allocated).
        let shape = { (t: Int) in ActivationShape(config: .smolLM2_135M, batch: 1, seq: t, lora: nil, workers: 2) }
        func growth(_ p: TrainingPrecision) -> Int {
            ActivationTensors.bytes(shape(2048), recompute: false, precision: p) - ActivationTensors.bytes(shape(1024), recompute: false, precision: p)
        }
        XCTAssertLessThan(Double(growth(.bf16)), 0.6 * Double(growth(.fp32)))
    }

    func testRefusalSuggestsBF16OnlyWhenItWouldFit() {
        let m = TinyFixture.model()
        let lean32 = m.memoryEstimate(batch: 2, seq: 64, recompute: true)
        let lean16 = m.memoryEstimate(batch: 2, seq: 64, recompute: true, precision: .bf16)
        XCTAssertLessThanOrEqual(lean16.total, lean32.total)
        XCTAssertThrowsError(try m.planMemory(batch: 2, seq: 64, budget: lean16.total - 1)) { error in
            guard case TrainerError.doesNotFit(let message) = error else { return XCTFail("unexpected error \(error)") }
            XCTAssertFalse(message.contains("--precision bf16"), message)
        }
        let lora = TinyFixture.model(lora: LoRAConfig(rank: 4, alpha: 8))
        let loraLean16 = lora.memoryEstimate(batch: 2, seq: 64, recompute: true, precision: .bf16)
        XCTAssertLessThan(loraLean16.total, lora.memoryEstimate(batch: 2, seq: 64, recompute: true).total, "a bf16 base is smaller")
        XCTAssertThrowsError(try lora.planMemory(batch: 2, seq: 64, budget: loraLean16.total)) { error in
            guard case TrainerError.doesNotFit(let message) = error else { return XCTFail("unexpected error \(error)") }
            XCTAssertTrue(message.contains("--precision bf16"), message)
        }
    }
}
