import LlamaModel
import XCTest
@testable import Trainer

final class TrainingLoopTests: XCTestCase {
    /// Three "demonstrations": a prompt of random tokens then a fixed assistant answer per prompt.
    static func demonstrations() -> [TrainingExample] {
        var rng = TrainingRNG(seed: 3)
        return (0..<3).map { k in
            let prompt = (0..<10).map { _ in Int32(rng.below(48)) }
            let answer = (0..<6).map { i in Int32(48 + (k * 5 + i) % 16) }
            return TrainingExample(ids: prompt + answer, targetMask: [Bool](repeating: false, count: 10) + [Bool](repeating: true, count: 6))
        }
    }

    func testTinyModelOverfitsAFewDemonstrations() {
        let config = TinyFixture.config
        let model = TrainableLlama(config: config)
        var rng = TrainingRNG(seed: 11)
        model.layout.initialize(model.parameters, rng: &rng)
        var options = TrainingOptions()
        options.batchSize = 2
        options.sequenceLength = 32
        options.steps = 60
        options.optimizer.learningRate = 1e-2
        options.optimizer.warmupSteps = 5
        options.optimizer.totalSteps = 60
        let rows = SequencePacker.pack(Self.demonstrations(), seq: 32)
        XCTAssertEqual(rows.count, 2, "three 16-token examples pack into two 32-token rows")
        let tuner = FineTuner(model: model, rows: rows, options: options)
        let initial = tuner.evaluateLoss(rows)
        var last = StepMetrics(step: 0, loss: 0, lr: 0, gradNorm: 0, tokensPerSecond: 0, targetTokens: 0, seconds: 0)
        for _ in 0..<options.steps { last = tuner.trainStep() }
        let final = tuner.evaluateLoss(rows)
        XCTAssertGreaterThan(initial, 3.5, "untrained loss is near ln(64)")
        XCTAssertLessThan(final, 0.2, "the tiny model memorises the answers")
        XCTAssertLessThan(last.loss, 0.3)
        XCTAssertEqual(tuner.state.step, 60)
    }

    func testGradientAccumulationEqualsOneBigBatch() {
        let rows = SequencePacker.pack(Self.demonstrations() + Self.demonstrations().reversed(), seq: 32)
        XCTAssertEqual(rows.count, 3)
        let whole = TinyFixture.model(), split = TinyFixture.model()
        let big = SequencePacker.batch(rows, seq: 32)
        whole.zeroGradients()
        whole.step(big, gradientScale: 1 / Float(big.targetCount))
        split.zeroGradients()
        for half in [Array(rows[0..<1]), Array(rows[1..<3])] {
            split.step(SequencePacker.batch(half, seq: 32), gradientScale: 1 / Float(big.targetCount))
        }
        for (a, b) in zip(whole.gradients!.array, split.gradients!.array) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    }

    func testPackingNeverSplitsADemonstration() {
        var rng = TrainingRNG(seed: 5)
        let examples = (0..<12).map { _ -> TrainingExample in
            let prompt = 3 + rng.below(12), answer = 2 + rng.below(6)
            return TrainingExample(ids: (0..<(prompt + answer)).map { _ in Int32(rng.below(64)) },
                                   targetMask: [Bool](repeating: false, count: prompt) + [Bool](repeating: true, count: answer))
        }
        let seq = 24
        let rows = SequencePacker.pack(examples, seq: seq)
        // Walk the examples in order: each sits whole in the current row (its own document, positions
        // from 0, every target inside it) or, only when it would not fit, starts the next row.
        var row = 0, cursor = 0
        for ex in examples {
            if cursor + ex.ids.count > seq { row += 1; cursor = 0 }
            XCTAssertLessThan(row, rows.count)
            let r = rows[row], span = cursor..<(cursor + ex.ids.count)
            XCTAssertEqual(Array(r.tokens[span]), ex.ids)
            XCTAssertEqual(Array(r.positions[span]), (0..<ex.ids.count).map { Int32($0) })
            XCTAssertTrue(r.docStart[span].allSatisfy { $0 == Int32(cursor) })
            XCTAssertEqual(r.targets[span].filter { $0 >= 0 }.count, ex.targetCount, "all of the example's targets in its row")
            cursor += ex.ids.count
        }
        XCTAssertEqual(row, rows.count - 1)
    }

    func testTruncationKeepsTheAssistantTarget() {
        let ex = TrainingExample(ids: (0..<100).map { Int32($0) },
                                 targetMask: [Bool](repeating: false, count: 90) + [Bool](repeating: true, count: 10))
        let cut = ex.truncated(to: 40)
        XCTAssertEqual(cut.ids.count, 40)
        XCTAssertEqual(Array(cut.ids.suffix(10)), (90..<100).map { Int32($0) }, "whole target kept")
        XCTAssertEqual(cut.ids.first, 0, "prompt head kept")
        XCTAssertEqual(cut.ids[cut.ids.count - 11], 89, "prompt tail leading into the target kept")
        XCTAssertEqual(cut.targetCount, 10)
    }

    /// A row longer than the sequence loses the middle of its prompt (the page's end), never its
    /// system turn or its target; one whose system turn and target alone do not fit is left out.
    func testTruncationNeverCutsTheSystemTurnOrTheTarget() {
        let ex = TrainingExample(ids: (0..<100).map { Int32($0) },
                                 targetMask: [Bool](repeating: false, count: 90) + [Bool](repeating: true, count: 10),
                                 systemLength: 25)
        let cut = ex.truncated(to: 50)
        XCTAssertEqual(cut.ids.count, 50)
        XCTAssertEqual(Array(cut.ids.prefix(25)), (0..<25).map { Int32($0) }, "whole system turn kept")
        XCTAssertEqual(Array(cut.ids.suffix(10)), (90..<100).map { Int32($0) }, "whole target kept")
        XCTAssertEqual(cut.ids[25], 75, "the prompt's middle went")

        let (rows, skipped) = SequencePacker.packReporting([ex], seq: 36)
        XCTAssertEqual(skipped, 1, "25 system + 10 target + a minimal tail do not fit 36")
        XCTAssertTrue(rows.isEmpty)
    }

    func testLearningRateScheduleWarmsUpAndDecays() {
        var s = OptimizerSettings()
        s.learningRate = 1; s.warmupSteps = 10; s.totalSteps = 110; s.minLRFraction = 0.1
        XCTAssertEqual(s.learningRate(at: 0), 0.1, accuracy: 1e-6)
        XCTAssertEqual(s.learningRate(at: 9), 1, accuracy: 1e-6)
        XCTAssertEqual(s.learningRate(at: 60), 0.55, accuracy: 1e-3)
        XCTAssertEqual(s.learningRate(at: 110), 0.1, accuracy: 1e-6)
    }

    func testLossPlotIsAPNGOfTheRequestedSize() {
        let png = LossCurvePlot.render(train: [(1, 4), (2, 3), (3, 1)], width: 64, height: 32)
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertEqual(Array(png.suffix(8)), Array("IEND".utf8) + [0xAE, 0x42, 0x60, 0x82])
        // 32 rows of (1 filter byte + 64·3) in one stored block, plus zlib/chunk framing.
        XCTAssertEqual(png.count, 8 + 25 + (12 + 2 + 5 + 32 * 193 + 4) + 12)
    }
}
