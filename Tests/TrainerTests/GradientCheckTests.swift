import LlamaModel
import XCTest
@testable import Trainer

/// A tiny model and a packed batch with two documents per row and prompt tokens masked,
/// so that the checks exercise GQA, RoPE positions restarting and document-boundary masking.
enum TinyFixture {
    static let config = LlamaConfig(vocabSize: 64, dim: 32, hiddenDim: 48, layerCount: 2, headCount: 4,
                                    kvHeadCount: 2, contextLength: 64, ropeTheta: 10_000, rmsNormEps: 1e-5)

    static func model(lora: LoRAConfig? = nil, recompute: Bool = false, seed: UInt64 = 1,
                      precision: TrainingPrecision = .fp32, config: LlamaConfig = config) -> TrainableLlama {
        let layout = ParameterLayout(config: config)
        let parameters = FloatBuffer(count: layout.total)
        var rng = TrainingRNG(seed: seed)
        // Larger than the usual 0.02 so attention is far from uniform and every path matters.
        for slot in layout.slots {
            for i in 0..<slot.count {
                parameters[slot.offset + i] = slot.shape.count == 1 ? 1 + 0.1 * rng.normal() : 0.15 * rng.normal()
            }
        }
        // Filled before the model takes them: a bf16 LoRA model rounds them into its own copy.
        let m = TrainableLlama(config: config, parameters: parameters, lora: lora, recompute: recompute, precision: precision)
        if let adapters = m.adapters {
            for i in 0..<adapters.count { adapters[i] = 0.1 * rng.normal() }
        }
        return m
    }

    static func batch(seed: UInt64 = 7) -> TokenBatch {
        var rng = TrainingRNG(seed: seed)
        let b = 2, t = 12
        var tokens: [Int32] = [], targets: [Int32] = [], positions: [Int32] = [], docStart: [Int32] = []
        for _ in 0..<b {
            let split = 5
            for i in 0..<t {
                tokens.append(Int32(rng.below(config.vocabSize)))
                let start = i < split ? 0 : split
                positions.append(Int32(i - start))
                docStart.append(Int32(start))
            }
            for i in 0..<t {
                let last = (i == split - 1) || (i == t - 1)
                let prompt = i < 2 || (i >= split && i < split + 2)
                targets.append(last || prompt ? -1 : tokens[tokens.count - t + i + 1])
            }
        }
        return TokenBatch(batch: b, seq: t, tokens: tokens, targets: targets, positions: positions, docStart: docStart)
    }
}

final class GradientCheckTests: XCTestCase {
    private func meanLoss(_ m: TrainableLlama, _ b: TokenBatch) -> Double {
        let r = m.step(b, gradientScale: nil)
        return r.lossSum / Double(r.count)
    }

    /// Compares, tensor by tensor, the analytic directional derivative g·d with the central
    /// difference (L(p+εd) − L(p−εd)) / 2ε along a random direction d.
    private func checkDirectional(_ m: TrainableLlama, values: FloatBuffer, grads: FloatBuffer, slots: [TensorSlot],
                                  batch: TokenBatch, file: StaticString = #filePath, line: UInt = #line) {
        var rng = TrainingRNG(seed: 99)
        let eps: Float = 2e-3
        for slot in slots {
            let d = (0..<slot.count).map { _ in rng.normal() }
            var analytic: Double = 0
            for i in 0..<slot.count { analytic += Double(grads[slot.offset + i] * d[i]) }
            let saved = (0..<slot.count).map { values[slot.offset + $0] }
            for i in 0..<slot.count { values[slot.offset + i] = saved[i] + eps * d[i] }
            let plus = meanLoss(m, batch)
            for i in 0..<slot.count { values[slot.offset + i] = saved[i] - eps * d[i] }
            let minus = meanLoss(m, batch)
            for i in 0..<slot.count { values[slot.offset + i] = saved[i] }
            let numeric = (plus - minus) / Double(2 * eps)
            let tolerance = 2e-2 * max(abs(numeric), abs(analytic)) + 2e-3
            XCTAssertEqual(analytic, numeric, accuracy: tolerance, "gradient of \(slot.name)", file: file, line: line)
        }
    }

    func testFullModelGradientsMatchFiniteDifferences() {
        let m = TinyFixture.model()
        let b = TinyFixture.batch()
        m.zeroGradients()
        m.step(b, gradientScale: 1 / Float(b.targetCount))
        checkDirectional(m, values: m.parameters, grads: m.gradients!, slots: m.layout.slots, batch: b)
    }

    func testLoRAGradientsMatchFiniteDifferences() {
        let m = TinyFixture.model(lora: LoRAConfig(rank: 4, alpha: 8, targets: LoRATarget.allCases))
        let b = TinyFixture.batch()
        m.zeroGradients()
        m.step(b, gradientScale: 1 / Float(b.targetCount))
        checkDirectional(m, values: m.adapters!, grads: m.adapterGradients!, slots: m.loraLayout!.slots, batch: b)
    }

    func testRecomputeGivesTheSameGradients() {
        let b = TinyFixture.batch()
        let stored = TinyFixture.model(recompute: false)
        let recomputed = TinyFixture.model(recompute: true)
        stored.zeroGradients(); recomputed.zeroGradients()
        let l1 = stored.step(b, gradientScale: 1 / Float(b.targetCount))
        let l2 = recomputed.step(b, gradientScale: 1 / Float(b.targetCount))
        XCTAssertEqual(l1.lossSum, l2.lossSum, accuracy: 1e-9)
        let g1 = stored.gradients!.array, g2 = recomputed.gradients!.array
        XCTAssertEqual(g1, g2)
        XCTAssertGreaterThan(stored.activationBytes(batch: 16, seq: 64), recomputed.activationBytes(batch: 16, seq: 64))
    }

    func testPackedDocumentsDoNotSeeEachOther() {
        // The second document's loss must not change when the first document's tokens change.
        let m = TinyFixture.model()
        var b = TinyFixture.batch()
        for i in 0..<b.rows where b.docStart[i] == 0 { b.targets[i] = -1 }
        let before = m.step(b, gradientScale: nil).lossSum
        for i in 0..<b.rows where b.docStart[i] == 0 { b.tokens[i] = (b.tokens[i] + 1) % 64 }
        let after = m.step(b, gradientScale: nil).lossSum
        XCTAssertEqual(before, after, accuracy: 1e-6)
    }
}
