import Foundation
import LlamaModel
import NNetnavSupport
import Trainer
import XCTest
import TestSupport
@testable import Pruning

final class SelectionTests: XCTestCase {
    func testAllocationFollowsDegradationAndSpendsExactlyTheBudget() {
        let shares = BudgetAllocation.allocate(budget: 8, degradation: [0.1, 0.5, 0.2, 0.0], sizes: [10, 10, 10, 10])
        XCTAssertEqual(shares.reduce(0, +), 8)
        XCTAssertEqual(shares, [1, 5, 2, 0])
        // Randomised: exact total, caps, and monotone in degradation wherever a cluster had room.
        var rng = SplitMix64(seed: 9)
        for _ in 0..<200 {
            let k = Int.random(in: 1...8, using: &rng)
            let sizes = (0..<k).map { _ in Int.random(in: 1...20, using: &rng) }
            let degradation = (0..<k).map { _ in Double.random(in: 0...1, using: &rng) }
            let budget = Int.random(in: 0...120, using: &rng)
            let s = BudgetAllocation.allocate(budget: budget, degradation: degradation, sizes: sizes)
            XCTAssertEqual(s.reduce(0, +), min(budget, sizes.reduce(0, +)))
            for i in 0..<k {
                XCTAssertLessThanOrEqual(s[i], sizes[i])
                for j in 0..<k where degradation[i] > degradation[j] && s[i] < s[j] {
                    XCTAssertEqual(s[i], sizes[i], "a more degraded cluster got less while it still had rows")
                }
            }
        }
    }

    func testAllocationCapsAtClusterSizeAndPassesTheRestOn() {
        XCTAssertEqual(BudgetAllocation.allocate(budget: 6, degradation: [0.9, 0.1, 0.05], sizes: [1, 10, 10]), [1, 3, 2])
    }

    func blobs(seed: UInt64) -> (points: [[Double]], truth: [Int]) {
        var rng = SplitMix64(seed: seed)
        let centres: [[Double]] = [[0, 0, 0, 0, 0], [8, 0, 0, 8, 0], [0, 8, 8, 0, 0]]
        var points: [[Double]] = [], truth: [Int] = []
        for (c, centre) in centres.enumerated() {
            for _ in 0..<15 {
                points.append(centre.map { $0 + Double.random(in: -1...1, using: &rng) })
                truth.append(c)
            }
        }
        return (points, truth)
    }

    func testSpectralClusteringRecoversSeparatedBlobs() {
        let (points, truth) = blobs(seed: 3)
        let labels = SpectralClustering(clusters: 3, neighbours: 5).assign(points)
        // Same partition (adjusted Rand index 1): points share a label exactly when they share a blob.
        for i in points.indices { for j in points.indices { XCTAssertEqual(labels[i] == labels[j], truth[i] == truth[j]) } }
    }

    func testSelectionGivesTheMoreDegradedClusterMoreOfTheBudget() {
        let (points, truth) = blobs(seed: 4)
        let degradationOfBlob = [0.6, 0.05, 0.2]
        let pool = points.indices.map { i in
            RecoveryCandidate(embedding: points[i], degradation: degradationOfBlob[truth[i]] + 0.001 * Double(i % 5),
                              tokens: 100 + i, prompt: "objective \(i) page \(i * 7)", action: "click [\(i)]")
        }
        let result = RecoverySelection(clusters: 3).select(pool, budget: 9)
        XCTAssertEqual(result.selected.count, 9)
        let perBlob = (0..<3).map { b in result.selected.filter { truth[$0] == b }.count }
        XCTAssertGreaterThan(perBlob[0], perBlob[2])
        XCTAssertGreaterThan(perBlob[2], perBlob[1])
        // Within the most degraded blob, the best degradation per cost went first.
        let chosen = Set(result.selected.filter { truth[$0] == 0 })
        let rest = pool.indices.filter { truth[$0] == 0 && !chosen.contains($0) }
        XCTAssertGreaterThanOrEqual(chosen.map { RecoverySelection.efficiency(pool[$0]) }.min()!,
                                    rest.map { RecoverySelection.efficiency(pool[$0]) }.max()!)
    }

    /// Stops diverge most, so plain PASER takes only stops; stratified, each cluster's share follows its
    /// action mix (here 3 clicks : 1 stop), and within a kind the most degraded rows still go first.
    func testStratifiedSelectionKeepsTheActionMixOfEachCluster() {
        let pool = (0..<40).map { i in
            let stop = i % 4 == 0
            return RecoveryCandidate(embedding: [Double(i % 2) * 10, 0], degradation: (stop ? 0.5 : 0.1) + 0.001 * Double(i),
                                     tokens: 100, prompt: "objective \(i) page \(i * 7)", action: stop ? "stop [\(i)]" : "click [\(i)]")
        }
        let plain = RecoverySelection(clusters: 1).select(pool, budget: 8)
        XCTAssertEqual(plain.selected.filter { pool[$0].action.hasPrefix("stop") }.count, 8)
        var stratified = RecoverySelection(clusters: 1)
        stratified.stratifyByAction = true
        let mixed = stratified.select(pool, budget: 8)
        XCTAssertEqual(mixed.selected.count, 8)
        let clicks = mixed.selected.filter { pool[$0].action.hasPrefix("click") }
        XCTAssertEqual(clicks.count, 6)
        XCTAssertEqual(Set(clicks), Set(pool.indices.filter { pool[$0].action.hasPrefix("click") }.suffix(6)), "the most degraded clicks")
        XCTAssertEqual(RecoverySelection.actionKind(" stop [$9.99]"), "stop")
        XCTAssertEqual(RecoverySelection.actionKind("scroll [down]"), "scroll")
        XCTAssertEqual(RecoverySelection.actionKind("go_back"), "go_back")
    }

    func testConflictFilterDropsNearDuplicatePromptsWithAnotherAction() {
        var filter = ConflictFilter()
        let page = (0..<40).map { "word\($0)" }.joined(separator: " ")
        XCTAssertTrue(filter.accept(prompt: "OBJECTIVE: buy a camera " + page, action: "click [10]"))
        XCTAssertTrue(filter.accept(prompt: "OBJECTIVE: buy a camera " + page, action: "click [10]"), "same action is no conflict")
        XCTAssertFalse(filter.accept(prompt: "OBJECTIVE: buy a camera " + page + " extra", action: "click [11]"))
        XCTAssertTrue(filter.accept(prompt: "OBJECTIVE: read the forum", action: "click [11]"), "different prompt is no conflict")
    }

    func testJensenShannonMatchesTheEntropyFormAndItsBounds() {
        let a: [Float] = [1, 2, 0.5, -1], b: [Float] = [0.3, -2, 2, 1]
        func probs(_ x: [Float]) -> [Double] { let e = x.map { exp(Double($0)) }; let s = e.reduce(0, +); return e.map { $0 / s } }
        func entropy(_ p: [Double]) -> Double { -p.reduce(0) { $0 + ($1 > 0 ? $1 * log($1) : 0) } }
        let p = probs(a), q = probs(b), m = zip(p, q).map { ($0 + $1) / 2 }
        let expected = entropy(m) - (entropy(p) + entropy(q)) / 2
        let got = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { JensenShannon.divergence(pa, $0) } }
        XCTAssertEqual(got, expected, accuracy: 1e-9)
        XCTAssertEqual(a.withUnsafeBufferPointer { JensenShannon.divergence($0, $0) }, 0, accuracy: 1e-12)
        let far: [Float] = [100, 0], near: [Float] = [0, 100]
        let extreme = far.withUnsafeBufferPointer { f in near.withUnsafeBufferPointer { JensenShannon.divergence(f, $0) } }
        XCTAssertEqual(extreme, log(2), accuracy: 1e-6)
    }

    func testDegradationIsZeroForTheSameModelAndPositiveForAPrunedOne() throws {
        let weights = TinyLlama.weights()
        let ids = TinyLlama.tokens(14, seed: 31)
        let example = TrainingExample(ids: ids.map { Int32($0) }, targetMask: ids.indices.map { $0 >= 9 })
        let same = try DegradationMeter(dense: weights, pruned: weights, sequenceLength: 64).measure(example)!
        XCTAssertEqual(same.jsd, 0, accuracy: 1e-9)
        XCTAssertEqual(same.lossIncrease, 0, accuracy: 1e-9)
        let mask = try MaskBuilder(pattern: .unstructured, sparsity: 0.5).build(try MagnitudeImportance.scores(weights), config: weights.config)
        let pruned = try DegradationMeter(dense: weights, pruned: try mask.applied(to: weights), sequenceLength: 64).measure(example)!
        XCTAssertGreaterThan(pruned.jsd, 1e-4)
        XCTAssertLessThanOrEqual(pruned.jsd, log(2))
    }

    /// The meter asks for logits only from the first target on; the figures must equal those of a
    /// forward that computes every position's logits.
    func testDegradationMatchesAnAllPositionsForward() throws {
        let weights = TinyLlama.weights()
        let mask = try MaskBuilder(pattern: .unstructured, sparsity: 0.5).build(try MagnitudeImportance.scores(weights), config: weights.config)
        let prunedWeights = try mask.applied(to: weights)
        let ids = TinyLlama.tokens(20, seed: 7)
        let targets = Set([11, 12, 13, 17, 18])   // two spans, as a row with two assistant turns
        let example = TrainingExample(ids: ids.map { Int32($0) }, targetMask: ids.indices.map(targets.contains))
        let got = try DegradationMeter(dense: weights, pruned: prunedWeights, sequenceLength: 64).measure(example)!

        let v = weights.config.vocabSize
        let a = try LlamaEngine(weights: weights, maxContext: 64, decodeWeights: .fp32, cacheSlots: 1).append(ids, logits: .all)
        let b = try LlamaEngine(weights: prunedWeights, maxContext: 64, decodeWeights: .fp32, cacheSlots: 1).append(ids, logits: .all)
        var jsd = 0.0, loss = 0.0
        let positions = (0..<(ids.count - 1)).filter { targets.contains($0 + 1) }
        for t in positions {
            let ra = Array(a[t * v ..< (t + 1) * v]), rb = Array(b[t * v ..< (t + 1) * v])
            jsd += ra.withUnsafeBufferPointer { pa in rb.withUnsafeBufferPointer { JensenShannon.divergence(pa, $0) } }
            loss += rb.withUnsafeBufferPointer { DegradationMeter.negativeLogLikelihood($0, ids[t + 1]) }
                - ra.withUnsafeBufferPointer { DegradationMeter.negativeLogLikelihood($0, ids[t + 1]) }
        }
        XCTAssertEqual(got.jsd, jsd / Double(positions.count), accuracy: 1e-5)
        XCTAssertEqual(got.lossIncrease, loss / Double(positions.count), accuracy: 1e-4)
        XCTAssertEqual(got.tokens, ids.count)
    }
}
