import Foundation
import LanguageModels
import LlamaModel

/// One exported demonstration row: an OpenAI/open-instruct chat (`{"messages": [...], ...}`).
/// Extra fields (ids, task metadata) are ignored.
public struct ChatRow: Codable, Sendable, Hashable {
    public var messages: [ChatMessage]
}

/// Reads exported chat JSONL and tokenizes it with the ChatML template; loss goes on assistant
/// turns (content plus `<|im_end|>`) only.
public struct ChatDataset: Sendable {
    public var rows: [ChatRow]

    public init(rows: [ChatRow]) { self.rows = rows }

    /// Reads every line of a JSONL file; a bad line is reported with its number, nothing is skipped silently.
    public init(jsonl url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        var rows: [ChatRow] = []
        let decoder = JSONDecoder()
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            do {
                let row = try decoder.decode(ChatRow.self, from: Data(trimmed.utf8))
                guard row.messages.contains(where: { $0.role == .assistant }) else {
                    throw TrainerError.invalidData("no assistant message")
                }
                rows.append(row)
            } catch {
                throw TrainerError.invalidData("\(url.lastPathComponent) line \(i + 1): \(error)")
            }
        }
        guard !rows.isEmpty else { throw TrainerError.invalidData("\(url.path) has no rows") }
        self.rows = rows
    }

    /// Deterministic split: every `1/fraction`-th row (by a seeded shuffle) goes to validation.
    public func split(validationFraction: Double, seed: UInt64) -> (train: ChatDataset, validation: ChatDataset) {
        guard validationFraction > 0, rows.count > 1 else { return (self, ChatDataset(rows: [])) }
        var order = Array(rows.indices)
        var rng = TrainingRNG(seed: seed ^ 0x5EED)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, rng.below(i + 1)) }
        let count = min(rows.count - 1, max(1, Int((Double(rows.count) * validationFraction).rounded())))
        let validation = Set(order.prefix(count))
        return (ChatDataset(rows: rows.indices.filter { !validation.contains($0) }.map { rows[$0] }),
                ChatDataset(rows: order.prefix(count).sorted().map { rows[$0] }))
    }

    /// Tokenized rows; `actionWeights` weighs a row by the verb of its last answer's action (`NextAction.verb`).
    public func examples(tokenizer: BPETokenizer, template: ChatTemplate,
                         actionWeights: [String: Float] = [:]) -> [TrainingExample] {
        rows.map { row in
            let (ids, mask) = template.encode(row.messages, with: tokenizer)
            // The system turn's tokens, so truncation can keep it whole.
            let system = row.messages.first.map { $0.role == .system ? template.encode([$0], with: tokenizer).ids.count : 0 } ?? 0
            let answer = row.messages.last(where: { $0.role == .assistant })?.content ?? ""
            let weight = NextAction.verb(of: answer).flatMap { actionWeights[$0] } ?? 1
            return TrainingExample(ids: ids.map { Int32($0) }, targetMask: mask, systemLength: system, weight: weight)
        }
    }

    /// Rows per action verb (rows without a parseable action under "").
    public func verbCounts() -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in rows {
            let answer = row.messages.last(where: { $0.role == .assistant })?.content ?? ""
            counts[NextAction.verb(of: answer) ?? "", default: 0] += 1
        }
        return counts
    }
}

/// The action of a policy answer: the first span between ``` fences, whitespace-normalised.
public enum NextAction {
    public static func extract(_ text: String) -> String? {
        let parts = text.components(separatedBy: "```")
        guard parts.count >= 3 else { return nil }
        let action = parts[1].split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return action.isEmpty ? nil : action
    }

    /// The action's verb: `click`, `type`, `stop`, … (its first word, before any `[`).
    public static func verb(of text: String) -> String? {
        guard let action = extract(text),
              let word = action.split(whereSeparator: { $0 == " " || $0 == "[" }).first else { return nil }
        return String(word)
    }
}
