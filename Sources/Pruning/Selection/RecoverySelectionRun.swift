import Foundation
import LanguageModels
import LlamaModel
import Trainer

/// `nnetnav select`: PASER over a JSONL pool of demonstrations — embed each row's instruction with the dense
/// model, measure the pruned model's degradation on its target, select within the budget.
public struct RecoverySelectionRun {
    public var dense: LlamaWeights
    public var pruned: LlamaWeights
    public var tokenizer: BPETokenizer
    public var template: ChatTemplate
    public var sequenceLength = 1024
    public var clusters: Int?
    public var useLossIncrease = false
    public var seed: UInt64 = 42

    public init(dense: LlamaWeights, pruned: LlamaWeights, tokenizer: BPETokenizer, template: ChatTemplate) {
        self.dense = dense
        self.pruned = pruned
        self.tokenizer = tokenizer
        self.template = template
    }

    /// Candidates from an earlier scoring pass over the same rows (its per-row degradation), without the
    /// models: prompts, actions and token counts come from the rows themselves; no embedding.
    public static func candidates(_ rows: [ChatRow], degradation: [Double], tokenizer: BPETokenizer, template: ChatTemplate,
                                  sequenceLength: Int) -> [RecoveryCandidate] {
        let examples = ChatDataset(rows: rows).examples(tokenizer: tokenizer, template: template)
        return zip(zip(rows, examples), degradation).map { pair, d in
            candidate(pair.0, embedding: [], degradation: d, tokens: pair.1.truncated(to: sequenceLength).ids.count)
        }
    }

    /// A row as PASER sees it: the conflict filter compares its prompt (every non-assistant message) and action.
    static func candidate(_ row: ChatRow, embedding: [Double], degradation: Double, tokens: Int) -> RecoveryCandidate {
        let prompt = row.messages.filter { $0.role != .assistant }.map(\.content).joined(separator: "\n")
        let target = row.messages.last { $0.role == .assistant }?.content ?? ""
        return RecoveryCandidate(embedding: embedding, degradation: degradation, tokens: tokens, prompt: prompt,
                                 action: NextAction.extract(target) ?? target)
    }

    /// Default cluster count: PASER's 10, fewer for small pools (about √(n/2)).
    public static func defaultClusters(pool: Int) -> Int { max(1, min(10, Int((Double(pool) / 2).squareRoot().rounded()))) }

    public func candidates(_ rows: [ChatRow], progress: ((Int) -> Void)? = nil) throws -> [RecoveryCandidate?] {
        let forward = CalibrationForward(weights: dense, maxPositions: 256)
        let meter = try DegradationMeter(dense: dense, pruned: pruned, sequenceLength: sequenceLength)
        let examples = ChatDataset(rows: rows).examples(tokenizer: tokenizer, template: template)
        var out: [RecoveryCandidate?] = []
        for (i, (row, example)) in zip(rows, examples).enumerated() {
            defer { progress?(i + 1) }
            guard let m = try meter.measure(example) else { out.append(nil); continue }
            let embedding = try forward.embed(tokenizer.encode(InstructionText.of(row.messages), allowSpecial: false)).map(Double.init)
            out.append(Self.candidate(row, embedding: embedding, degradation: useLossIncrease ? max(0, m.lossIncrease) : m.jsd, tokens: m.tokens))
        }
        return out
    }
}
