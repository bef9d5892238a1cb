import Foundation
import TestSupport
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
        let plain = try LocalChatModel.sharedPrefixLogProbabilities(of: distinct, after: prompt, engine: LlamaEngine(weights: weights))
        let reference = try LlamaEngine(weights: weights).logProbabilities(of: distinct, after: prompt)
        for (a, b) in zip(plain, reference) { #expect(abs(a - b) < 1e-3, "\(plain) vs \(reference)") }
    }

    /// Continuations scored side by side in one forward give what each scored after the prompt
    /// alone gives (the independent naive forward), across attention blocks (more than 64 rows)
    /// and across forwards (more than 512 rows), and leave the cache at the prompt.
    @Test func batchedScoresEqualTheNaiveForwardOfEachContinuation() throws {
        let weights = TinyModel.weights()
        let prompt = Array(EngineTests.tokens[..<6])
        var continuations: [[Int]] = [[], [12], [12, 13, 14], Array(EngineTests.tokens[6...])]
        for i in 0..<40 { continuations.append((0..<(i % 17 + 2)).map { (i * 7 + $0 * 3) % 30 + 1 }) }
        let engine = try LlamaEngine(weights: weights, maxContext: 128)
        let scores = try engine.batchedLogProbabilities(of: continuations, after: prompt)
        #expect(scores.count == continuations.count)
        for (continuation, score) in zip(continuations, scores) {
            let expected = NaiveLlama.continuationLogProbability(weights, prompt: prompt, continuation: continuation)
            #expect(abs(score - expected) < 2e-3, "\(continuation): \(score) vs \(expected)")
        }
        #expect(engine.cachedTokens == prompt)
        // More rows than the cache has room for after the prompt: several forwards.
        let many = (0..<60).map { i in (0..<12).map { (i * 5 + $0) % 30 + 1 } }
        let split = try engine.batchedLogProbabilities(of: many, after: prompt)
        let oneByOne = try LlamaEngine(weights: weights).logProbabilities(of: many, after: prompt)
        for (a, b) in zip(split, oneByOne) { #expect(abs(a - b) < 2e-3, "\(a) vs \(b)") }
        #expect(engine.cachedTokens == prompt)
    }

    /// Candidates that share openings ("click [1", "click [2"…) are scored on a prefix tree, one
    /// row per distinct prefix; the scores are still each continuation's own.
    @Test func treeScoresEqualTheNaiveForwardOfEachContinuation() throws {
        let weights = TinyModel.weights()
        let prompt = Array(EngineTests.tokens[..<6])
        var continuations: [[Int]] = [[3], [3, 4], [3, 4, 5, 2], [3, 4, 5, 6, 2], [3, 7, 2], [8, 4, 5, 2], [8, 4, 9, 9, 2]]
        for i in 0..<12 { continuations.append([3, 4, 10 + i % 5, 20 + i, 2]) }
        let trie = ContinuationTrie(continuations)
        let flatRows = continuations.map { max(0, $0.count - 1) }.reduce(0, +)
        #expect(trie.rowCount < flatRows / 2, "\(trie.rowCount) rows instead of \(flatRows)")
        let engine = try LlamaEngine(weights: weights, maxContext: 128)
        let scores = try engine.batchedLogProbabilities(of: continuations, after: prompt)
        for (continuation, score) in zip(continuations, scores) {
            let expected = NaiveLlama.continuationLogProbability(weights, prompt: prompt, continuation: continuation)
            #expect(abs(score - expected) < 2e-3, "\(continuation): \(score) vs \(expected)")
        }
        #expect(engine.cachedTokens == prompt)
    }
}
