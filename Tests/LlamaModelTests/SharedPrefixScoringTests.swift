import Foundation
import Testing
@testable import LlamaModel

/// The local model scores a policy's choices computing their shared opening once; by the chain
/// rule that must give what scoring each choice whole gives.
struct SharedPrefixScoringTests {
    @Test func sharedPrefixScoresEqualWholeScores() throws {
        let weights = TinyModel.weights()
        let prompt = Array(EngineTests.tokens[..<5])
        let opening = [12, 13, 14, 15]
        let continuations = [opening + [16], opening + [17, 18], opening + [19, 20, 21], opening]
        let whole = try LlamaEngine(weights: weights).logProbabilities(of: continuations, after: prompt)
        let shared = try LocalChatModel.sharedPrefixLogProbabilities(of: continuations, after: prompt,
                                                                     engine: LlamaEngine(weights: weights))
        #expect(shared.count == whole.count)
        for (a, b) in zip(shared, whole) { #expect(abs(a - b) < 1e-3, "\(shared) vs \(whole)") }
        // Nothing shared: the plain path.
        let distinct = [[12], [13, 14]]
        #expect(try LocalChatModel.sharedPrefixLogProbabilities(of: distinct, after: prompt, engine: LlamaEngine(weights: weights))
                == (try LlamaEngine(weights: weights).logProbabilities(of: distinct, after: prompt)))
    }
}
