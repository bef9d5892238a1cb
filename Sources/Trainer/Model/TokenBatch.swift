import Foundation

/// One micro-batch of B packed sequences of length T, token-major (row = b·T + t).
///
/// Packing: several demonstrations share a row; `positions` restart at 0 for each and
/// `docStart[row]` is the in-row index where the row's document begins, which the attention
/// uses as a document-boundary mask. `targets` holds the next token to predict or −1 where
/// no loss is taken (prompts, padding, the last token of a document).
public struct TokenBatch: Sendable {
    public var batch: Int
    public var seq: Int
    public var tokens: [Int32]
    public var targets: [Int32]
    public var positions: [Int32]
    public var docStart: [Int32]
    /// Loss weight per position (0 where there is no target); nil: every target weighs 1.
    public var targetWeights: [Float]? = nil

    public init(batch: Int, seq: Int, tokens: [Int32], targets: [Int32], positions: [Int32]? = nil, docStart: [Int32]? = nil) {
        precondition(tokens.count == batch * seq && targets.count == batch * seq)
        self.batch = batch
        self.seq = seq
        self.tokens = tokens
        self.targets = targets
        self.positions = positions ?? (0..<batch * seq).map { Int32($0 % seq) }
        self.docStart = docStart ?? [Int32](repeating: 0, count: batch * seq)
    }

    public var rows: Int { batch * seq }
    public var targetCount: Int { targets.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) } }
}
