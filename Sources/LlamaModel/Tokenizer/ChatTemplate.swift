import Foundation
import LanguageModels

/// The ChatML chat format used by SmolLM2, Qwen2/Qwen2.5/Qwen3 (and Hermes…):
///
///     <|im_start|>system\n…<|im_end|>\n<|im_start|>user\n…<|im_end|>\n<|im_start|>assistant\n
///
/// Implemented directly instead of interpreting the Jinja template in the model file; the one
/// model-specific detail, a default system prompt inserted when the conversation has none, is
/// read from that template.
///
/// Qwen3 is a "thinking" model: its template lets it open every answer with `<think>…</think>`
/// unless `enable_thinking=False`, which pre-fills an empty think block. The engine always runs it
/// that way (`thinkingPrefix`): the agent's prompts want the answer format, not a long hidden
/// reasoning that would eat the token budget, and fine-tuning then sees the same opening as
/// inference. A think block the model writes anyway is dropped from the reply (`visibleText`).
public struct ChatTemplate: Sendable, Hashable {
    public var startToken = "<|im_start|>"
    public var endToken = "<|im_end|>"
    /// Inserted as the system message when the first message is not a system message.
    public var defaultSystemPrompt: String?
    /// Opens every assistant turn, outside the trained target (Qwen3: an empty think block).
    public var thinkingPrefix: String?

    public init(defaultSystemPrompt: String? = nil, thinkingPrefix: String? = nil) {
        self.defaultSystemPrompt = defaultSystemPrompt
        self.thinkingPrefix = thinkingPrefix
    }

    /// Qwen3's `enable_thinking=False` opening.
    public static let emptyThinkBlock = "<think>\n\n</think>\n\n"

    /// ChatML with the default system prompt found in a model's Jinja template, if any
    /// (SmolLM2: "You are a helpful AI assistant named SmolLM, trained by Hugging Face").
    public init(jinja: String?) {
        self.init()
        guard let jinja else { return }
        if jinja.contains("enable_thinking") { thinkingPrefix = Self.emptyThinkBlock }
        // The first literal system message (Qwen2.5 first opens one built from variables, for tools).
        // The newline after the role is a real one in some files and a Jinja escape (`\n`) in others.
        var rest = jinja[...]
        while let open = [rest.range(of: "<|im_start|>system\n"), rest.range(of: "<|im_start|>system\\n")].compactMap({ $0 })
            .min(by: { $0.lowerBound < $1.lowerBound }) {
            rest = rest[open.upperBound...]
            guard let close = rest.range(of: "<|im_end|>") else { return }
            let text = String(rest[..<close.lowerBound])
            // A template that builds the system message from variables has no literal default.
            if !text.contains("{{") && !text.contains("{%") && !text.contains("+") && !text.contains("'") {
                defaultSystemPrompt = text
                return
            }
        }
    }

    /// A reply without a think block the model opened it with.
    public func visibleText(_ generated: String) -> String {
        guard thinkingPrefix != nil, let close = generated.range(of: "</think>"),
              generated.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("<think>") else { return generated }
        return String(generated[close.upperBound...].drop { $0 == "\n" || $0 == " " })
    }

    public init(gguf: GGUFFile) { self.init(jinja: gguf["tokenizer.chat_template"]?.stringValue) }

    /// Text segments of the rendered conversation, each flagged when it is an assistant turn's
    /// content plus its end token (what a fine-tune learns to produce).
    public func segments(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> [(text: String, isAssistantTarget: Bool)] {
        var out: [(String, Bool)] = []
        if let defaultSystemPrompt, messages.first?.role != .system {
            out.append(("\(startToken)system\n\(defaultSystemPrompt)\(endToken)\n", false))
        }
        for m in messages {
            out.append(("\(startToken)\(m.role.rawValue)\n" + (m.role == .assistant ? thinkingPrefix ?? "" : ""), false))
            if m.role == .assistant {
                out.append(("\(m.content)\(endToken)", true))
                out.append(("\n", false))
            } else {
                out.append(("\(m.content)\(endToken)\n", false))
            }
        }
        if addGenerationPrompt { out.append(("\(startToken)assistant\n" + (thinkingPrefix ?? ""), false)) }
        return out
    }

    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) -> String {
        segments(messages, addGenerationPrompt: addGenerationPrompt).map(\.text).joined()
    }

    /// Token ids of the conversation and, per token, whether it is an assistant target.
    /// Segments are tokenized separately so the assistant's tokens are exactly those the model
    /// produces after the generation prompt at inference time.
    public func encode(_ messages: [ChatMessage], with tokenizer: BPETokenizer,
                       addGenerationPrompt: Bool = false) -> (ids: [Int], assistantMask: [Bool]) {
        var ids: [Int] = []
        var mask: [Bool] = []
        for (text, target) in segments(messages, addGenerationPrompt: addGenerationPrompt) {
            let t = tokenizer.encode(text)
            ids += t
            mask += [Bool](repeating: target, count: t.count)
        }
        return (ids, mask)
    }
}
