import Foundation
import LlamaModel
import Trainer
import XCTest
import TestSupport
@testable import Pruning

/// Importance scores against references computed independently: inputs from a plain Double forward,
/// gradients by central finite differences of that forward's loss.
final class ImportanceTests: XCTestCase {
    let weights = TinyLlama.weights()

    func testWandaScoresAreWeightTimesInputNormOfANaiveForward() throws {
        let segments = [TinyLlama.tokens(10, seed: 11), TinyLlama.tokens(7, seed: 12)]
        let calibration = CalibrationForward(weights: weights, maxPositions: 64)
        for s in segments { try calibration.run(s) }
        let scores = try WandaImportance.scores(weights, calibration: calibration)
        let references = segments.map { NaiveLlama.trace(weights, $0) }
        var worst = 0.0
        for m in weights.config.prunableMatrices {
            var squares = [Double](repeating: 0, count: m.columns)
            for r in references { for row in r.inputs[m.name]! { for j in 0..<m.columns { squares[j] += row[j] * row[j] } } }
            let w = weights.tensors[m.name]!, s = scores[m.name]!
            for i in 0..<m.count {
                let expected = abs(Double(w[i])) * squares[i % m.columns].squareRoot()
                worst = max(worst, abs(Double(s[i]) - expected) / max(expected, 1e-3))
            }
        }
        XCTAssertLessThan(worst, 1e-3)
    }

    func testDPrunerScoresMatchFiniteDifferenceTaylorReference() throws {
        let general = [TinyLlama.tokens(9, seed: 21)]
        let rows = [TinyLlama.tokens(10, seed: 22), TinyLlama.tokens(8, seed: 23)]
        let examples = rows.map { ids in
            TrainingExample(ids: ids.map { Int32($0) }, targetMask: ids.indices.map { $0 >= ids.count - 4 })
        }
        var pruner = DPrunerImportance()
        // Large enough that the general term changes the scores measurably on this tiny model.
        pruner.lambda = 5e7
        let calibration = CalibrationForward(weights: weights, maxPositions: 64)
        try calibration.run(general[0])
        let g = try DPrunerImportance.generalImportance(weights, calibration: calibration)
        let (scores, diagnostics) = try pruner.scores(weights, general: g, domain: examples, sequenceLength: 64)
        XCTAssertEqual(diagnostics.rows, 2)
        XCTAssertGreaterThan(diagnostics.regulariserToGradient, 0.05)

        let reference = NaiveLlama.trace(weights, general[0])
        let probes: [(String, Int)] = [(LlamaTensorName.query(0), 5), (LlamaTensorName.ffnDown(1), 100), (LlamaTensorName.ffnGate(0), 777),
                                       (LlamaTensorName.value(1), 42), (LlamaTensorName.attentionOutput(1), 1000)]
        let coefficient = 2 * Double(pruner.lambda) * Double(pruner.learningRate * pruner.learningRate) / Double(pruner.regulariserScale)
        for (name, index) in probes {
            let columns = weights.config.prunableMatrices.first { $0.name == name }!.columns
            let inputs = reference.inputs[name]!
            let h = 2 * inputs.reduce(0.0) { $0 + $1[index % columns] * $1[index % columns] } / Double(inputs.count)
            let theta = Double(weights.tensors[name]![index])
            let generalImportance = theta * theta * h
            XCTAssertEqual(Double(g[name]![index]), generalImportance, accuracy: 1e-3 * max(generalImportance, 1e-6))
            var sum = 0.0, square = 0.0
            for ids in rows {
                var targets: [Int: Int] = [:]
                for t in (ids.count - 5)..<(ids.count - 1) { targets[t] = ids[t + 1] }
                let eps: Float = 1e-3
                var plus = weights, minus = weights
                plus.tensors[name]![index] += eps
                minus.tensors[name]![index] -= eps
                let gradient = (NaiveLlama.trace(plus, ids).loss(targets: targets) - NaiveLlama.trace(minus, ids).loss(targets: targets))
                    / Double(plus.tensors[name]![index] - minus.tensors[name]![index])
                let tilde = gradient + coefficient * generalImportance * gradient * gradient
                sum += tilde; square += tilde * tilde
            }
            let expected = abs(-(sum / 2) * theta + 0.5 * (square / 2) * theta * theta)
            XCTAssertEqual(Double(scores[name]![index]), expected, accuracy: 0.02 * expected + 1e-7, "\(name)[\(index)]")
        }
    }

    func testMagnitudeScoresAreAbsoluteWeights() throws {
        let s = try MagnitudeImportance.scores(weights)
        let name = LlamaTensorName.ffnUp(1)
        XCTAssertEqual(s[name]!, weights.tensors[name]!.map { abs($0) })
        XCTAssertNil(s[LlamaTensorName.tokenEmbedding], "the embedding is never pruned")
    }
}
