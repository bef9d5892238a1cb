import Foundation
import LlamaModel
import XCTest
@testable import Trainer

final class CheckpointTests: XCTestCase {
    private func tempDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-ckpt-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private func options(lora: LoRAConfig? = nil) -> TrainingOptions {
        var o = TrainingOptions()
        o.batchSize = 1
        o.sequenceLength = 32
        o.steps = 6
        o.optimizer.learningRate = 5e-3
        o.optimizer.warmupSteps = 2
        o.optimizer.totalSteps = 6
        o.lora = lora
        return o
    }

    /// Training 6 steps straight equals training 3, saving, loading into fresh objects and training 3 more.
    private func checkResumeIsExact(lora: LoRAConfig?) throws {
        let rows = SequencePacker.pack(TrainingLoopTests.demonstrations(), seq: 32)
        let base = TinyFixture.model().exportWeights()
        let straight = FineTuner(model: try TrainableLlama(weights: base, lora: lora), rows: rows, options: options(lora: lora))
        if let a = straight.model.adapters { var rng = TrainingRNG(seed: 5); straight.model.loraLayout!.initialize(a, rng: &rng) }
        let resumed = FineTuner(model: try TrainableLlama(weights: base, lora: lora), rows: rows, options: options(lora: lora))
        if let a = resumed.model.adapters { var rng = TrainingRNG(seed: 5); resumed.model.loraLayout!.initialize(a, rng: &rng) }
        for _ in 0..<6 { _ = straight.trainStep() }
        for _ in 0..<3 { _ = resumed.trainStep() }

        let checkpoint = Checkpoint(directory: tempDirectory())
        try checkpoint.save(resumed)
        let state = try checkpoint.loadState()
        XCTAssertEqual(state.step, 3)
        let model = try checkpoint.loadModel(base: base, state: state)
        let continued = FineTuner(model: model, rows: rows, options: state.options)
        try checkpoint.restore(into: continued, state: state)
        for _ in 0..<3 { _ = continued.trainStep() }

        XCTAssertEqual(continued.state.step, 6)
        XCTAssertEqual(continued.model.trainable.values.array, straight.model.trainable.values.array)
    }

    func testFullFineTuneResumesExactly() throws { try checkResumeIsExact(lora: nil) }
    func testLoRAResumesExactly() throws { try checkResumeIsExact(lora: LoRAConfig(rank: 2, alpha: 4)) }

    func testSavedWeightsRoundTrip() throws {
        let model = TinyFixture.model()
        let url = tempDirectory().appendingPathComponent("model.safetensors")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try model.exportWeights().write(safetensors: url)
        let loaded = try TrainableLlama(weights: LlamaWeights.load(safetensors: url))
        XCTAssertEqual(loaded.config, model.config)
        XCTAssertEqual(loaded.parameters.array, model.parameters.array)
    }
}
