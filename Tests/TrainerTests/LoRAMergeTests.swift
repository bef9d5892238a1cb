import LlamaModel
import XCTest
@testable import Trainer

final class LoRAMergeTests: XCTestCase {
    func testMergedWeightsForwardEqualsAdapterForward() {
        let lora = LoRAConfig(rank: 4, alpha: 8, targets: LoRATarget.allCases)
        let adapted = TinyFixture.model(lora: lora)
        let b = TinyFixture.batch()
        let adapterLoss = adapted.step(b, gradientScale: nil)
        let adapterLogits = adapted.lastLogits(Array(b.tokens[0..<10]))

        let merged = FloatBuffer(adapted.parameters.array)
        adapted.loraLayout!.merge(adapters: adapted.adapters!, into: merged, base: adapted.layout)
        let plain = TrainableLlama(config: adapted.config, parameters: merged)
        let mergedLoss = plain.step(b, gradientScale: nil)
        let mergedLogits = plain.lastLogits(Array(b.tokens[0..<10]))

        XCTAssertEqual(adapterLoss.lossSum, mergedLoss.lossSum, accuracy: 1e-3 * adapterLoss.lossSum)
        for (x, y) in zip(adapterLogits, mergedLogits) { XCTAssertEqual(x, y, accuracy: 1e-4) }
        // The adapters are not a no-op: the base model alone gives another loss.
        let base = TrainableLlama(config: adapted.config, parameters: adapted.parameters)
        XCTAssertGreaterThan(abs(base.step(b, gradientScale: nil).lossSum - adapterLoss.lossSum), 1e-2)
    }
}

final class EngineAgreementTests: XCTestCase {
    /// The trainer's forward and the inference engine (KV cache) agree on the same weights,
    /// so the conventions (RoPE pairing, GQA grouping, tied head) are shared.
    func testTrainerForwardMatchesInferenceEngine() throws {
        let model = TinyFixture.model()
        let tokens = Array(TinyFixture.batch().tokens[0..<9])
        let engine = try LlamaEngine(weights: model.exportWeights(), maxContext: 32)
        let viaEngine = try engine.append(tokens.map(Int.init))
        let viaTrainer = model.lastLogits(tokens)
        for (a, b) in zip(viaEngine, viaTrainer) { XCTAssertEqual(a, b, accuracy: 1e-3) }
    }
}
