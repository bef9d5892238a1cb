import Foundation
import LlamaModel
import XCTest
@testable import Trainer

/// The trainer on the tiny Qwen2 (q/k/v biases, tied head) and Qwen3 (per-head q/k RMSNorm,
/// attention wider than the model) models of Tests/LlamaModelTests/Fixtures/qwen: loss and
/// gradients against PyTorch autograd (scripts/reference/qwen_reference.py), and the LoRA
/// gradients against finite differences.
final class QwenTrainerGradientTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../LlamaModelTests/Fixtures/qwen").standardized

    struct Expected: Decodable {
        struct Gradient: Decodable {
            var ids: [Int]
            var targets: [Int]
            var loss: Double
            var stride: Int
            var gradients: [String: [Double]]
        }
        var gradient: Gradient
    }

    func model(_ arch: String, lora: LoRAConfig? = nil) throws -> TrainableLlama {
        let weights = try LlamaWeights.load(safetensors: Self.fixtures.appendingPathComponent("\(arch)/model.safetensors"))
        return try TrainableLlama(weights: weights, lora: lora)
    }

    func expected(_ arch: String) throws -> Expected.Gradient {
        let all = try JSONDecoder().decode([String: Expected].self,
                                           from: Data(contentsOf: Self.fixtures.appendingPathComponent("expected.json")))
        return try XCTUnwrap(all[arch]).gradient
    }

    func batch(_ g: Expected.Gradient) -> TokenBatch {
        TokenBatch(batch: 1, seq: g.ids.count, tokens: g.ids.map(Int32.init), targets: g.targets.map(Int32.init))
    }

    func checkAgainstPyTorch(_ arch: String) throws {
        let m = try model(arch)
        let g = try expected(arch)
        let b = batch(g)
        m.zeroGradients()
        let r = m.step(b, gradientScale: 1 / Float(b.targetCount))
        XCTAssertEqual(r.lossSum / Double(r.count), g.loss, accuracy: 1e-4 * max(1, g.loss), arch)
        var compared = 0
        for slot in m.layout.slots {
            let name = try XCTUnwrap(HuggingFaceNames.hfName(slot.name), slot.name)
            let reference = try XCTUnwrap(g.gradients[name], "PyTorch has no gradient for \(name)")
            // PyTorch's q/k rows (and biases, norm scales) are half-split; ours interleaved.
            let ours = HuggingFaceNames.toHalfSplit(Array(UnsafeBufferPointer(start: m.gradients!.pointer + slot.offset, count: slot.count)),
                                                    tensor: slot.name, config: m.config)
            let sampled = stride(from: 0, to: slot.count, by: g.stride).map { Double(ours[$0]) }
            XCTAssertEqual(sampled.count, reference.count, name)
            let scale = max(reference.map(abs).max() ?? 0, 1e-3)
            let worst = zip(sampled, reference).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThan(worst / scale, 2e-3, "\(arch) \(name): gradient error relative to the tensor's largest entry")
            compared += 1
        }
        XCTAssertEqual(compared, g.gradients.count, "every PyTorch parameter was compared")
    }

    func testQwen2GradientsMatchPyTorch() throws { try checkAgainstPyTorch("qwen2") }
    func testQwen3GradientsMatchPyTorch() throws { try checkAgainstPyTorch("qwen3") }

    /// LoRA on every linear layer: adapter gradients against central differences of the loss.
    func testLoRAGradientsMatchFiniteDifferences() throws {
        for arch in ["qwen2", "qwen3"] {
            let m = try model(arch, lora: LoRAConfig(rank: 2, alpha: 4, targets: LoRATarget.allCases))
            var rng = TrainingRNG(seed: 5)
            for i in 0..<m.adapters!.count { m.adapters![i] = 0.2 * rng.normal() }
            let b = batch(try expected(arch))
            m.zeroGradients()
            m.step(b, gradientScale: 1 / Float(b.targetCount))
            let eps: Float = 1e-3
            for slot in m.loraLayout!.slots {
                let d = (0..<slot.count).map { _ in rng.normal() }
                var analytic = 0.0
                for i in 0..<slot.count { analytic += Double(m.adapterGradients![slot.offset + i] * d[i]) }
                let saved = (0..<slot.count).map { m.adapters![slot.offset + $0] }
                func loss(_ sign: Float) -> Double {
                    for i in 0..<slot.count { m.adapters![slot.offset + i] = saved[i] + sign * eps * d[i] }
                    let r = m.step(b, gradientScale: nil)
                    return r.lossSum / Double(r.count)
                }
                let numeric = (loss(1) - loss(-1)) / Double(2 * eps)
                for i in 0..<slot.count { m.adapters![slot.offset + i] = saved[i] }
                XCTAssertEqual(analytic, numeric, accuracy: 3e-2 * max(abs(numeric), abs(analytic)) + 3e-3, "\(arch) \(slot.name)")
            }
        }
    }

    /// A fine-tuned Qwen exports weights the engine loads, with the same logits as the trainer.
    func testExportedWeightsRunInTheEngine() throws {
        let m = try model("qwen3")
        let ids: [Int32] = [3, 40, 41, 42, 100, 7]
        let trainerLogits = m.lastLogits(ids)
        let engine = try LlamaEngine(weights: m.exportWeights())
        let engineLogits = try engine.append(ids.map(Int.init))
        let worst = zip(trainerLogits, engineLogits).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThan(worst, 1e-3)
    }
}
