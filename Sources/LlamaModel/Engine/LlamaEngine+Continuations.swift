import Foundation
import LanguageModels

extension LlamaEngine {
    /// Log-probabilities of `continuations` after `prompt`, like `logProbabilities(of:after:)`, but
    /// with every continuation's tokens in one forward pass side by side (each row at its own
    /// position, attending to the prompt and to its own continuation only) instead of one forward
    /// per continuation. Scoring a policy's 16 candidate actions then reads the weights once, not
    /// 16 times, which is most of an evaluation step's cost on a CPU.
    public func batchedLogProbabilities(of continuations: [[Int]], after prompt: [Int]) throws -> [Double] {
        let promptLogits = try prefill(prompt)
        let base = cachedCount
        // Rows per forward, in whole continuations: bounded by the attention scratch memory and by
        // the cache room after the prompt (each forward's rows are dropped before the next).
        let rowBudget = max(1, min(512, maxContext - base))
        let trie = ContinuationTrie(continuations)
        let flatRows = continuations.map { max(0, $0.count - 1) }.reduce(0, +)
        if trie.rowCount > 0, trie.rowCount <= rowBudget, trie.rowCount < flatRows {
            return try scoreAsTrie(trie, continuations: continuations, base: base, promptLogits: promptLogits)
        }
        var rowLogits: [Float] = []
        var tokens: [Int] = [], positions: [Int] = [], segmentStarts: [Int] = []
        func flush() throws {
            guard !tokens.isEmpty else { return }
            rowLogits += try forwardContinuations(tokens, start: base, layout: ContinuationRows(
                base: base, positions: positions, segmentStarts: segmentStarts))
            truncate(to: base)
            tokens = []; positions = []; segmentStarts = []
        }
        do {
            for continuation in continuations where continuation.count > 1 {
                let inputs = continuation.dropLast()
                if !tokens.isEmpty && tokens.count + inputs.count > rowBudget { try flush() }
                let segmentStart = base + tokens.count
                for (k, token) in inputs.enumerated() {
                    tokens.append(token)
                    positions.append(base + k)
                    segmentStarts.append(segmentStart)
                }
            }
            try flush()
        } catch {
            truncate(to: base)
            lastLogits = promptLogits
            throw error
        }
        truncate(to: base)
        lastLogits = promptLogits
        // Flat layout: each continuation's rows follow the previous one's.
        var next = 0
        return score(continuations, promptLogits: promptLogits, rowLogits: rowLogits) { continuation in
            defer { next += max(0, continuation.count - 1) }
            return Array(next ..< next + max(0, continuation.count - 1))
        }
    }

    /// Each continuation's log-probability: its first token from the prompt's logits, token k + 1
    /// from the logits of its k-th row (`rows` names them).
    private func score(_ continuations: [[Int]], promptLogits: [Float], rowLogits: [Float],
                       rows: ([Int]) -> [Int]) -> [Double] {
        let v = config.vocabSize
        return continuations.map { continuation in
            guard let first = continuation.first else { return 0 }
            var total = logSoftmax(promptLogits, 0, at: first)
            for (k, row) in rows(continuation).enumerated() {
                total += logSoftmax(rowLogits, row * v, at: continuation[k + 1])
            }
            return total
        }
    }

    /// The trie path of `batchedLogProbabilities`: one row per distinct prefix, so a token the
    /// candidates share ("click", " [") is computed once; by the chain rule the scores are the
    /// same as scoring each continuation on its own rows.
    private func scoreAsTrie(_ trie: ContinuationTrie, continuations: [[Int]], base: Int,
                             promptLogits: [Float]) throws -> [Double] {
        // The cache goes back to the prompt whether the forward succeeds or throws.
        defer {
            truncate(to: base)
            lastLogits = promptLogits
        }
        let rowLogits = try forwardContinuations(trie.tokens, start: base, layout: ContinuationRows(
            base: base, positions: trie.depths.map { base + $0 }, segmentStarts: [],
            ancestors: trie.paths.map { $0.map { base + $0 } }))
        return score(continuations, promptLogits: promptLogits, rowLogits: rowLogits, rows: trie.rows(of:))
    }
}
