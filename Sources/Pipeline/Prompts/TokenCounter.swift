import Foundation

/// Counts the tokens of a text for a prompt budget. The student's own tokenizer gives exact counts
/// (`nnetnav export`, the main job and evaluation pass it); without it, `utf8Bytes` is an upper
/// bound that holds for every byte-level BPE (Llama 3, SmolLM2, GPT-2: each token covers at least
/// one byte of the text), so a budget kept by it is never overrun, whatever the script.
public struct TokenCounter: Sendable {
    public let name: String
    private let counting: @Sendable (String) -> Int

    public init(name: String, count: @escaping @Sendable (String) -> Int) {
        self.name = name
        counting = count
    }

    public func count(_ text: String) -> Int { counting(text) }

    /// One token per UTF-8 byte: conservative for any byte-level BPE.
    public static let utf8Bytes = TokenCounter(name: "utf8-bytes") { $0.utf8.count }

    /// The explorer's rough estimate (4 UTF-8 bytes per token) for module prompts, whose model's
    /// tokenizer is unknown; not a bound.
    public static let estimate = TokenCounter(name: "estimate") { TextMeasures.estimatedTokens($0) }
}
