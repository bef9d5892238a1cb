import Foundation
import LlamaModel
import NNetnavSupport
import Trainer
import XCTest
import TestSupport
@testable import Pruning

final class InstructionPruningTests: XCTestCase {
    let weights = TinyLlama.weights()

    func testChannelMaskGradientMatchesFiniteDifferenceOfScalingTheChannel() throws {
        let ids = TinyLlama.tokens(10, seed: 41)
        let example = TrainingExample(ids: ids.map { Int32($0) }, targetMask: ids.indices.map { $0 >= 6 })
        var raw: [Float] = []
        try DomainGradients.forEachRow(weights: weights, examples: [example], sequenceLength: 64) { g in
            raw = try ChannelImportance.maskGradients(weights: weights, gradient: g)
        }
        var targets: [Int: Int] = [:]
        for t in 5..<9 { targets[t] = ids[t + 1] }
        let f = weights.config.hiddenDim, d = weights.config.dim
        for (layer, channel) in [(0, 3), (1, 50), (1, 95)] {
            func loss(_ m: Float) -> Double {
                var w = weights
                for i in 0..<d { w.tensors[LlamaTensorName.ffnDown(layer)]![i * f + channel] *= m }
                return NaiveLlama.trace(w, ids).loss(targets: targets)
            }
            let expected = (loss(1 + 1e-3) - loss(1 - 1e-3)) / 2e-3
            XCTAssertEqual(Double(raw[layer * f + channel]), expected, accuracy: 0.02 * abs(expected) + 1e-6, "block \(layer) channel \(channel)")
        }
    }

    func testPredictorReproducesALinearTargetAndItsMasksDifferAcrossInstructions() throws {
        // Targets that depend on the instruction embedding: channel preference flips with the first feature.
        var rng = SplitMix64(seed: 5)
        let layers = 2, hidden = 8
        var inputs: [[Float]] = [], targets: [[Float]] = []
        for _ in 0..<12 {
            let x = (0..<4).map { _ in Float.random(in: -1...1, using: &rng) }
            inputs.append(x)
            targets.append((0..<(layers * hidden)).map { j in Float(j % hidden) * x[0] + (j < hidden ? x[1] : -x[2]) })
        }
        let predictor = try ChannelPredictor.fit(inputs: inputs, targets: targets, layers: layers, hidden: hidden, keep: 3, ridge: 1e-9)
        for (x, y) in zip(inputs, targets) {
            for (p, t) in zip(predictor.scores(x), y) { XCTAssertEqual(p, t, accuracy: 1e-3) }
        }
        let up = predictor.keptChannels([1, 0, 0, 0]), down = predictor.keptChannels([-1, 0, 0, 0])
        XCTAssertEqual(up[0], [5, 6, 7])
        XCTAssertEqual(down[0], [0, 1, 2])
        XCTAssertNotEqual(up, down)
        XCTAssertTrue(predictor.staticChannels.allSatisfy { $0.count == 3 })
    }

    func testPredictorTrainedOnTinyModelGradientsGivesDifferentMasksToDifferentInstructions() throws {
        let forward = CalibrationForward(weights: weights, maxPositions: 64)
        var inputs: [[Float]] = [], targets: [[Float]] = []
        var instructions: [[Int]] = []
        for r in 0..<6 {
            let instruction = TinyLlama.tokens(5, seed: UInt64(100 + r))
            let ids = instruction + TinyLlama.tokens(8, seed: UInt64(200 + r))
            let example = TrainingExample(ids: ids.map { Int32($0) }, targetMask: ids.indices.map { $0 >= 9 })
            try DomainGradients.forEachRow(weights: weights, examples: [example], sequenceLength: 64) { g in
                targets.append(try ChannelImportance.perRow(weights: weights, gradient: g))
            }
            inputs.append(try forward.embed(instruction))
            instructions.append(instruction)
        }
        let predictor = try ChannelPredictor.fit(inputs: inputs, targets: targets, layers: 2, hidden: 96, keep: 48, ridge: 1e-3)
        let masks = inputs.map { predictor.keptChannels($0) }
        XCTAssertGreaterThan(Set(masks).count, 1, "every instruction got the same mask")
        XCTAssertTrue(masks.allSatisfy { $0.allSatisfy { $0.count == 48 } })
        // The per-instruction model is an ordinary smaller model the engine runs.
        let small = try ChannelGather.gather(weights, keptChannels: masks[0])
        XCTAssertEqual(small.config.hiddenDim, 48)
        XCTAssertEqual(try LlamaEngine(weights: small).append(instructions[0]).count, weights.config.vocabSize)
    }
}
