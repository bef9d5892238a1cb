import Foundation
import LlamaModel
import XCTest
@testable import Trainer

/// Loss and gradients of one step against PyTorch 2.13 (fixture written by
/// `scripts/reference/trainer_reference.py`: same tiny model, packed batch, masked targets).
final class ReferenceCheckTests: XCTestCase {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../scripts/reference/trainer_reference_step.safetensors").standardized

    func testLossAndGradientsMatchPyTorch() throws {
        let file = try SafetensorsFile(url: Self.fixture)
        let config = try JSONDecoder().decode(LlamaConfig.self, from: Data(file.metadata["config"]!.utf8))
        let model = TrainableLlama(config: config)
        for slot in model.layout.slots {
            let values = try file.floats("param." + slot.name)
            for i in 0..<slot.count { model.parameters[slot.offset + i] = values[i] }
        }
        func ints(_ name: String) throws -> [Int32] { try file.floats(name).map { Int32($0) } }
        let shape = file.info("batch.tokens")!.shape
        let batch = TokenBatch(batch: shape[0], seq: shape[1], tokens: try ints("batch.tokens"), targets: try ints("batch.targets"),
                               positions: try ints("batch.positions"), docStart: try ints("batch.doc_start"))
        model.zeroGradients()
        let r = model.step(batch, gradientScale: 1 / Float(batch.targetCount))
        let expectedLoss = try file.floats("loss")[0]
        XCTAssertEqual(Float(r.lossSum / Double(r.count)), expectedLoss, accuracy: 1e-5)
        var worst: Float = 0
        for slot in model.layout.slots {
            let expected = try file.floats("grad." + slot.name)
            let scale = expected.map(abs).max()!
            for i in 0..<slot.count {
                worst = max(worst, abs(model.gradients![slot.offset + i] - expected[i]) / scale)
            }
        }
        XCTAssertLessThan(worst, 1e-4, "largest gradient error relative to each tensor's largest entry")
    }
}
