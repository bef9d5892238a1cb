import Foundation
import LanguageModels
import LlamaModel
import XCTest
@testable import Trainer

/// Per-row loss weights (`TrainingOptions.actionWeights`): what the packer carries and what the step computes.
final class ActionWeightTests: XCTestCase {
    private func examples(weights: [Float]) -> [TrainingExample] {
        zip(TrainingLoopTests.demonstrations(), weights).map { example, weight in
            var weighted = example
            weighted.weight = weight
            return weighted
        }
    }

    func testUnweightedRowsPackAndFingerprintAsBefore() {
        let plain = SequencePacker.pack(TrainingLoopTests.demonstrations(), seq: 32)
        let ones = SequencePacker.pack(examples(weights: [1, 1, 1]), seq: 32)
        XCTAssertEqual(plain, ones)
        XCTAssertTrue(ones.allSatisfy { $0.targetWeights == nil })
        XCTAssertNil(SequencePacker.batch(ones, seq: 32).targetWeights)
        let weighted = SequencePacker.pack(examples(weights: [1, 0.5, 1]), seq: 32)
        XCTAssertNotEqual(ContentDigest.rows(plain), ContentDigest.rows(weighted),
                          "a resumed run must not mix weighted and unweighted rows")
    }

    func testEachTargetCarriesItsExamplesWeight() {
        let rows = SequencePacker.pack(examples(weights: [0.25, 2, 1]), seq: 32)
        let batch = SequencePacker.batch(rows, seq: 32)
        let weights = try! XCTUnwrap(batch.targetWeights)
        // Three 16-token examples: two in the first row, one in the second; 5 targets each (the
        // first answer token is predicted from the prompt's last position, the last one predicts nothing).
        for (i, (target, weight)) in zip(batch.targets, weights).enumerated() {
            if target < 0 { XCTAssertEqual(weight, 0, "position \(i) has no target"); continue }
            let expected: Float = i < 16 ? 0.25 : i < 32 ? 2 : 1
            XCTAssertEqual(weight, expected, "position \(i)")
        }
    }

    /// The weighted step's loss and gradients equal the weighted sum of the examples' own.
    func testWeightedGradientIsTheWeightedSumOfTheExamplesGradients() {
        let weights: [Float] = [0.3, 0, 2]
        let model = TinyFixture.model()
        let weighted = SequencePacker.batch(SequencePacker.pack(examples(weights: weights), seq: 32), seq: 32)
        model.zeroGradients()
        let result = model.step(weighted, gradientScale: 1)
        let together = model.gradients!.array
        var sum = [Float](repeating: 0, count: together.count), lossSum = 0.0
        for (k, example) in TrainingLoopTests.demonstrations().enumerated() {
            let alone = SequencePacker.batch(SequencePacker.pack([example], seq: 32), seq: 32)
            model.zeroGradients()
            lossSum += Double(weights[k]) * model.step(alone, gradientScale: 1).lossSum
            for (i, g) in model.gradients!.array.enumerated() { sum[i] += weights[k] * g }
        }
        XCTAssertEqual(result.lossSum, lossSum, accuracy: 1e-4)
        var largest: Float = 0
        for (a, b) in zip(together, sum) { XCTAssertEqual(a, b, accuracy: 1e-4); largest = max(largest, abs(a)) }
        XCTAssertGreaterThan(largest, 1e-3, "the check compares real gradients")
    }

    /// At batch size 1 (the experiment's and the main job's setting) a step holds one row, so its
    /// weight must scale that step's gradient: normalising by the summed weight would cancel it.
    func testAOneRowStepIsScaledByItsRowsWeight() {
        func firstStep(_ weights: [Float]) -> (StepMetrics, [Float]) {
            var options = TrainingOptions()
            options.batchSize = 1
            options.sequenceLength = 16
            options.steps = 1
            let tuner = FineTuner(model: TinyFixture.model(), rows: SequencePacker.pack(examples(weights: weights), seq: 16),
                                  options: options)
            let metrics = tuner.trainStep()
            return (metrics, tuner.model.gradients!.array)
        }
        let (plain, g1) = firstStep([1, 1, 1])
        let (quarter, gq) = firstStep([0.25, 0.25, 0.25])
        XCTAssertEqual(quarter.loss, 0.25 * plain.loss, accuracy: 1e-5 * plain.loss)
        var largest: Float = 0
        for (a, b) in zip(g1, gq) { XCTAssertEqual(b, 0.25 * a, accuracy: 1e-6 + 1e-5 * abs(a)); largest = max(largest, abs(a)) }
        XCTAssertGreaterThan(largest, 1e-3)
        let (zero, g0) = firstStep([0, 0, 0])
        XCTAssertEqual(zero.loss, 0)
        XCTAssertTrue(g0.allSatisfy { $0 == 0 }, "a row of weight 0 teaches nothing")
    }

    func testRowsAreWeightedByTheirActionsVerb() throws {
        guard let gguf = ChatDatasetTests.smolLM2 else { throw XCTSkip("embedded SmolLM2 GGUF not present") }
        let tokenizer = try BPETokenizer(gguf: GGUFFile(url: gguf))
        func row(_ action: String?) -> ChatRow {
            let answer = action.map { "In summary, the next action I will perform is ```\($0)```" } ?? "I do not know what to do."
            return ChatRow(messages: [ChatMessage(role: .user, content: "OBJECTIVE: find the lamp"),
                                      ChatMessage(role: .assistant, content: answer)])
        }
        let dataset = ChatDataset(rows: [row("click [12]"), row("stop [29]"), row("stop []"), row("scroll [down]"), row(nil)])
        XCTAssertEqual(dataset.verbCounts(), ["click": 1, "stop": 2, "scroll": 1, "": 1])
        let examples = dataset.examples(tokenizer: tokenizer, template: ChatTemplate(), actionWeights: ["stop": 0.25, "scroll": 0])
        XCTAssertEqual(examples.map(\.weight), [1, 0.25, 0.25, 0, 1])
        XCTAssertEqual(NextAction.verb(of: "```stop[]```"), "stop")
        XCTAssertEqual(NextAction.verb(of: "```go_back```"), "go_back")
        XCTAssertNil(NextAction.verb(of: "click [3]"), "no fenced action")
    }

    func testOptionsSavedBeforeWeightsExistedLoadUnweighted() throws {
        var options = TrainingOptions()
        options.actionWeights = ["stop": 0.3]
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(options)) as! [String: Any]
        XCTAssertEqual(try JSONDecoder().decode(TrainingOptions.self, from: JSONSerialization.data(withJSONObject: json)).actionWeights,
                       ["stop": 0.3])
        json.removeValue(forKey: "actionWeights")
        XCTAssertEqual(try JSONDecoder().decode(TrainingOptions.self, from: JSONSerialization.data(withJSONObject: json)).actionWeights, [:])
    }
}
