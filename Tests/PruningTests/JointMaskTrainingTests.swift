import Foundation
import LlamaModel
import NNetnavSupport
import Trainer
import XCTest
import TestSupport
@testable import Pruning

/// IFPruning's joint stage: the soft top-k mask, the masked step's gradients, and the loop.
final class JointMaskTrainingTests: XCTestCase {
    let weights = TinyLlama.weights()

    func testSoftTopKKeepsExactlyKAndBecomesTheHardTopK() {
        var rng = SplitMix64(seed: 9)
        let scores = (0..<40).map { _ in Float.random(in: -2...2, using: &rng) }
        for (keep, temperature) in [(1, Float(0.5)), (10, 0.25), (20, 1), (39, 0.1)] {
            let mask = SoftTopK(keep: keep, temperature: temperature).mask(scores)
            XCTAssertEqual(mask.reduce(0, +), Float(keep), accuracy: 1e-3, "k \(keep), T \(temperature)")
            XCTAssertTrue(mask.allSatisfy { (0...1).contains($0) })
        }
        let hard = SoftTopK(keep: 10, temperature: 1e-4).mask(scores)
        let top = Set(scores.indices.sorted { scores[$0] > scores[$1] }.prefix(10))
        for j in scores.indices { XCTAssertEqual(hard[j], top.contains(j) ? 1 : 0, accuracy: 1e-3) }
        XCTAssertEqual(SoftTopK(keep: 40, temperature: 0.5).mask(scores), [Float](repeating: 1, count: 40))
    }

    func testSoftTopKGradientMatchesFiniteDifferences() {
        var rng = SplitMix64(seed: 10)
        let scores = (0..<24).map { _ in Float.random(in: -1...1, using: &rng) }
        let weightsOfMask = (0..<24).map { _ in Double.random(in: -1...1, using: &rng) }
        let top = SoftTopK(keep: 8, temperature: 0.3)
        func objective(_ s: [Float]) -> Double { zip(top.mask(s), weightsOfMask).reduce(0) { $0 + Double($1.0) * $1.1 } }
        let gradient = top.backward(mask: top.mask(scores), maskGradient: weightsOfMask.map(Float.init))
        for j in [0, 5, 11, 23] {
            var up = scores, down = scores
            up[j] += 1e-3; down[j] -= 1e-3
            let expected = (objective(up) - objective(down)) / 2e-3
            XCTAssertEqual(Double(gradient[j]), expected, accuracy: 0.01 * abs(expected) + 1e-3, "score \(j)")
        }
        XCTAssertEqual(gradient.reduce(0, +), 0, accuracy: 1e-4, "moving every score together moves nothing")
    }

    /// Away from m = 1 (what the one-shot importance never needed): ∂L/∂m and ∂L/∂W of the masked
    /// step against central differences of an independent Double forward.
    func testMaskedStepGradientsMatchFiniteDifferences() throws {
        let ids = TinyLlama.tokens(10, seed: 43)
        let example = TrainingExample(ids: ids.map { Int32($0) }, targetMask: ids.indices.map { $0 >= 6 })
        let batch = try XCTUnwrap(DomainGradients.singleRowBatch(example, sequenceLength: 64))
        let c = weights.config, f = c.hiddenDim, d = c.dim
        var rng = SplitMix64(seed: 12)
        let masks = (0..<c.layerCount).map { _ in (0..<f).map { _ in Float.random(in: 0.2...0.9, using: &rng) } }
        let model = try TrainableLlama(weights: weights)
        let offsets = (0..<c.layerCount).map { model.layout.slot(named: LlamaTensorName.ffnDown($0))!.offset }
        let before = model.parameters.array
        let (_, maskGradients) = JointMaskTraining.maskedStep(model, batch, masks: masks, downOffsets: offsets)
        XCTAssertEqual(model.parameters.array, before, "the weights are put back")
        var targets: [Int: Int] = [:]
        for t in 5..<9 { targets[t] = ids[t + 1] }
        func loss(masks m: [[Float]], weights base: LlamaWeights = weights) -> Double {
            var w = base
            for l in 0..<c.layerCount {
                for i in 0..<d { for j in 0..<f { w.tensors[LlamaTensorName.ffnDown(l)]![i * f + j] *= m[l][j] } }
            }
            return NaiveLlama.trace(w, ids).loss(targets: targets)
        }
        for (layer, channel) in [(0, 3), (1, 50), (1, 95)] {
            var up = masks, down = masks
            up[layer][channel] += 1e-3; down[layer][channel] -= 1e-3
            let expected = (loss(masks: up) - loss(masks: down)) / 2e-3
            XCTAssertEqual(Double(maskGradients[layer][channel]), expected, accuracy: 0.02 * abs(expected) + 1e-6,
                           "∂L/∂m, block \(layer) channel \(channel)")
        }
        let g = model.gradients!
        for (layer, i, j) in [(0, 2, 7), (1, 30, 60)] {
            var up = weights, down = weights
            up.tensors[LlamaTensorName.ffnDown(layer)]![i * f + j] += 1e-3
            down.tensors[LlamaTensorName.ffnDown(layer)]![i * f + j] -= 1e-3
            let expected = (loss(masks: masks, weights: up) - loss(masks: masks, weights: down)) / 2e-3
            XCTAssertEqual(Double(g[offsets[layer] + i * f + j]), expected, accuracy: 0.02 * abs(expected) + 1e-6,
                           "∂L/∂W, block \(layer) [\(i), \(j)]")
        }
    }

    /// Two instructions whose answers differ: the conditioned loop learns, its masks differ by
    /// instruction; the static loop's head never reads the instruction.
    func testConditionedMasksDifferByInstructionAndStaticOnesDoNot() throws {
        let forward = CalibrationForward(weights: weights, maxPositions: 64)
        var examples: [TrainingExample] = [], embeddings: [[Float]] = []
        for r in 0..<8 {
            let instruction = TinyLlama.tokens(5, seed: UInt64(300 + r % 2))
            let ids = instruction + TinyLlama.tokens(8, seed: UInt64(400 + r % 2))
            examples.append(TrainingExample(ids: ids.map { Int32($0) }, targetMask: ids.indices.map { $0 >= 9 }))
            embeddings.append(try forward.embed(instruction))
        }
        let c = weights.config, keep = c.hiddenDim / 2
        let start = ChannelPredictor(layers: c.layerCount, hidden: c.hiddenDim, keep: keep,
                                     weight: [Float](repeating: 0, count: c.dim * c.layerCount * c.hiddenDim),
                                     inputMean: (0..<c.dim).map { j in embeddings.reduce(0) { $0 + $1[j] } / Float(embeddings.count) },
                                     outputMean: [Float](repeating: 0, count: c.layerCount * c.hiddenDim))
        var joint = JointMaskTraining(weights: weights, keep: keep, steps: 24, conditioned: true)
        joint.modelLearningRate = 3e-3
        joint.predictorLearningRate = 3e-2
        joint.sequenceLength = 64
        let conditioned = try joint.run(examples: examples, embeddings: embeddings, start: start)
        XCTAssertEqual(conditioned.losses.count, 24)
        let early = conditioned.losses.prefix(4).reduce(0, +) / 4, late = conditioned.losses.suffix(4).reduce(0, +) / 4
        XCTAssertLessThan(late, early * 0.8, "the masked model learns the two answers")
        let masks = [embeddings[0], embeddings[1]].map { conditioned.predictor.keptChannels($0) }
        XCTAssertNotEqual(masks[0], masks[1], "the two instructions get different channels")
        XCTAssertTrue(masks.allSatisfy { $0.allSatisfy { $0.count == keep } })
        XCTAssertNotEqual(conditioned.weights.tensors[LlamaTensorName.ffnDown(0)], weights.tensors[LlamaTensorName.ffnDown(0)],
                          "the model is trained too")

        joint.conditioned = false
        let fixed = try joint.run(examples: examples, embeddings: embeddings, start: start)
        XCTAssertTrue(fixed.predictor.weight.allSatisfy { $0 == 0 }, "the static head never reads the instruction")
        XCTAssertNotEqual(fixed.predictor.outputMean, start.outputMean, "its static scores are learned")
        XCTAssertEqual(fixed.predictor.keptChannels(embeddings[0]), fixed.predictor.keptChannels(embeddings[1]))
    }
}
