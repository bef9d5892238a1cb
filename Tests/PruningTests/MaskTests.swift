import Foundation
import LlamaModel
import NNetnavSupport
import XCTest
import TestSupport
@testable import Pruning

final class MaskTests: XCTestCase {
    let config = TinyLlama.config

    func randomScores(seed: UInt64) -> ImportanceScores {
        var rng = SplitMix64(seed: seed)
        var s = ImportanceScores()
        // Few distinct values, so ties occur and the exact-count rule is exercised.
        for m in config.prunableMatrices { s[m.name] = (0..<m.count).map { _ in Float(Int.random(in: 0..<50, using: &rng)) } }
        return s
    }

    func testUnstructuredMaskRemovesExactlyTheSparsityOfEachMatrixAndTheLowestScores() throws {
        let scores = randomScores(seed: 1)
        for sparsity in [0.3, 0.5] {
            let mask = try MaskBuilder(pattern: .unstructured, sparsity: sparsity).build(scores, config: config)
            for m in config.prunableMatrices {
                let removed = mask.removed[m.name]!, s = scores[m.name]!
                XCTAssertEqual(removed.filter { $0 }.count, Int((sparsity * Double(m.count)).rounded(.down)), m.name)
                let maxRemoved = zip(s, removed).filter { $0.1 }.map(\.0).max()!
                let minKept = zip(s, removed).filter { !$0.1 }.map(\.0).min()!
                XCTAssertLessThanOrEqual(maxRemoved, minKept, "a kept weight scores below a removed one in \(m.name)")
            }
        }
    }

    func testWithinRowMaskRemovesTheSameCountFromEveryRow() throws {
        let scores = randomScores(seed: 2)
        let mask = try MaskBuilder(pattern: .unstructured, sparsity: 0.5, withinRows: true).build(scores, config: config)
        for m in config.prunableMatrices {
            let removed = mask.removed[m.name]!
            for r in 0..<m.rows {
                XCTAssertEqual(removed[r * m.columns ..< (r + 1) * m.columns].filter { $0 }.count, m.columns / 2, "\(m.name) row \(r)")
            }
        }
    }

    func testTwoOfFourMaskKeepsTheTwoBestOfEveryFourInputs() throws {
        let scores = randomScores(seed: 3)
        let mask = try MaskBuilder(pattern: .nOfM(n: 2, m: 4), sparsity: 0.5).build(scores, config: config)
        for m in config.prunableMatrices {
            let removed = mask.removed[m.name]!, s = scores[m.name]!
            for g in stride(from: 0, to: m.count, by: 4) {
                let group = Array(g ..< g + 4)
                XCTAssertEqual(group.filter { removed[$0] }.count, 2)
                let maxRemoved = group.filter { removed[$0] }.map { s[$0] }.max()!
                let minKept = group.filter { !removed[$0] }.map { s[$0] }.min()!
                XCTAssertLessThanOrEqual(maxRemoved, minKept)
            }
        }
        XCTAssertEqual(mask.sparsity, 0.5, accuracy: 1e-12)
    }

    func testFFNChannelMaskShrinksTheModelAndComputesWhatTheZeroedModelComputes() throws {
        let weights = TinyLlama.weights()
        let scores = try MagnitudeImportance.scores(weights)
        let builder = MaskBuilder(pattern: .ffnChannels, sparsity: 0.3, channelMultiple: 1)
        let mask = try builder.build(scores, config: config)
        let keep = config.hiddenDim - Int(0.3 * Double(config.hiddenDim))  // 96 − 28
        XCTAssertEqual(mask.keptChannels?.map(\.count), [keep, keep])
        for l in 0..<config.layerCount {
            let channel = MaskBuilder.channelScores(scores, layer: l, config: config)
            let kept = Set(mask.keptChannels![l])
            let dropped = (0..<config.hiddenDim).filter { !kept.contains($0) }
            XCTAssertLessThanOrEqual(dropped.map { channel[$0] }.max()!, kept.map { channel[$0] }.min()!)
            XCTAssertEqual(mask.removed[LlamaTensorName.ffnGate(l)]!.filter { $0 }.count, dropped.count * config.dim)
            XCTAssertEqual(mask.removed[LlamaTensorName.query(l)]!.filter { $0 }.count, 0)
        }
        let zeroed = try mask.applied(to: weights)
        let gathered = try ChannelGather.gather(weights, keptChannels: mask.keptChannels!)
        XCTAssertEqual(gathered.config.hiddenDim, keep)
        XCTAssertEqual(gathered.tensors[LlamaTensorName.ffnDown(0)]!.count, config.dim * keep)
        let tokens = TinyLlama.tokens(12, seed: 4)
        let a = try LlamaEngine(weights: zeroed).append(tokens, logits: .all)
        let b = try LlamaEngine(weights: gathered).append(tokens, logits: .all)
        XCTAssertEqual(a.count, b.count)
        let worst = zip(a, b).map { abs($0 - $1) }.max()!
        XCTAssertLessThan(worst, 1e-4)
        // The zeroing matters: the dense model computes something else.
        let dense = try LlamaEngine(weights: weights).append(tokens, logits: .all)
        XCTAssertGreaterThan(zip(dense, b).map { abs($0 - $1) }.max()!, 1e-3)
    }

    func testKeptChannelsRoundUpToTheQuantizedBlockSize() {
        let builder = MaskBuilder(pattern: .ffnChannels, sparsity: 0.5, channelMultiple: 32)
        XCTAssertEqual(builder.keptChannelCount(hidden: 96), 64)
        XCTAssertEqual(builder.keptChannelCount(hidden: 1536), 768)
        XCTAssertEqual(MaskBuilder(pattern: .ffnChannels, sparsity: 0.3).keptChannelCount(hidden: 1536), 1088)
    }

    func testHeadMaskRemovesWholeLowestHeads() throws {
        let scores = randomScores(seed: 5)
        let mask = try MaskBuilder(pattern: .heads, sparsity: 0.5).build(scores, config: config)
        let hd = config.headDim, d = config.dim
        for l in 0..<config.layerCount {
            let dropped = mask.removedHeads![l]
            XCTAssertEqual(dropped.count, 2)
            let headScores = MaskBuilder.headScores(scores, layer: l, config: config)
            let kept = (0..<config.headCount).filter { !dropped.contains($0) }
            XCTAssertLessThanOrEqual(dropped.map { headScores[$0] }.max()!, kept.map { headScores[$0] }.min()!)
            let q = mask.removed[LlamaTensorName.query(l)]!, o = mask.removed[LlamaTensorName.attentionOutput(l)]!
            for e in 0..<d {
                let inDropped = dropped.contains(e / hd)
                XCTAssertEqual(q[e * d ..< (e + 1) * d].allSatisfy { $0 }, inDropped)
                XCTAssertEqual(q[e * d ..< (e + 1) * d].contains(true), inDropped)
                XCTAssertEqual(o[3 * d + e], inDropped)
            }
        }
    }

    func testPatternArgumentsParseAndBadOnesAreRefused() {
        XCTAssertEqual(PruningPattern(argument: "2:4"), .nOfM(n: 2, m: 4))
        XCTAssertEqual(PruningPattern(argument: "ffn-channels"), .ffnChannels)
        XCTAssertNil(PruningPattern(argument: "4:2"))
        XCTAssertNil(PruningPattern(argument: "rows"))
        XCTAssertThrowsError(try MaskBuilder(pattern: .unstructured, sparsity: 1.2).build(randomScores(seed: 1), config: config))
    }
}

final class TwoFourMatrixTests: XCTestCase {
    func testTwoFourProductEqualsTheDenseProductOfTheMaskedMatrix() {
        var rng = SplitMix64(seed: 8)
        let rows = 6, columns = 16
        let w = (0..<rows * columns).map { _ in Float.random(in: -1...1, using: &rng) }
        let x = (0..<columns).map { _ in Float.random(in: -1...1, using: &rng) }
        let m = TwoFourMatrix(w, rows: rows, columns: columns)
        XCTAssertEqual(m.byteCount, rows * columns / 2 * 4 + rows * columns / 4)
        var masked = w
        for g in stride(from: 0, to: w.count, by: 4) {
            let drop = (0..<4).sorted { abs(w[g + $0]) < abs(w[g + $1]) }.prefix(2)
            for i in drop { masked[g + i] = 0 }
        }
        var y = [Float](repeating: 0, count: rows)
        x.withUnsafeBufferPointer { xs in y.withUnsafeMutableBufferPointer { m.multiply(xs.baseAddress!, into: $0.baseAddress!) } }
        for r in 0..<rows {
            let expected = (0..<columns).reduce(Float(0)) { $0 + masked[r * columns + $1] * x[$1] }
            XCTAssertEqual(y[r], expected, accuracy: 1e-5)
        }
    }
}
