import Foundation
import LanguageModels
import LlamaModel

/// Result of `nnetnav train --eval`.
public struct NextActionReport: Codable, Sendable {
    public var validationLoss: Float
    public var validationRows: Int
    public var decodedRows: Int
    public var exactMatches: Int
    public var exactMatchAccuracy: Double { decodedRows > 0 ? Double(exactMatches) / Double(decodedRows) : 0 }
    public var samples: [Sample]

    public struct Sample: Codable, Sendable {
        public var reference: String?
        public var predicted: String?
        public var output: String
    }
}

/// Validation loss and next-action exact match, decoding greedily with the inference engine
/// (KV cache) on the trained weights (LoRA adapters merged).
public struct NextActionEvaluation {
    public let engine: LlamaEngine
    public var tokenizer: BPETokenizer
    public var template: ChatTemplate
    public var sequenceLength: Int
    public var maxNewTokens = 64

    public init(model: TrainableLlama, tokenizer: BPETokenizer, template: ChatTemplate, sequenceLength: Int) throws {
        let context = min(model.config.contextLength, sequenceLength + 64)
        engine = try LlamaEngine(weights: model.exportWeights(), maxContext: context)
        self.tokenizer = tokenizer
        self.template = template
        self.sequenceLength = min(sequenceLength, context)
    }

    /// Greedy continuation of the last assistant turn's prompt. The prompt loses tokens from its
    /// middle if it does not leave room for `maxNewTokens`.
    public func generate(_ prompt: [ChatMessage]) throws -> String {
        var tokens = template.encode(prompt, with: tokenizer, addGenerationPrompt: true).ids
        let budget = max(16, sequenceLength - maxNewTokens)
        if tokens.count > budget {
            let head = min(64, budget / 4)
            tokens = Array(tokens.prefix(head) + tokens.suffix(budget - head))
        }
        let stop = Set([tokenizer.eosID, tokenizer.id(of: template.endToken)].compactMap { $0 })
        engine.reset()
        var logits = try engine.append(tokens)
        var out: [Int] = []
        for _ in 0..<maxNewTokens {
            var best = 0
            for j in 1..<logits.count where logits[j] > logits[best] { best = j }
            if stop.contains(best) { break }
            out.append(best)
            logits = try engine.append([best])
        }
        return tokenizer.decode(out, skipSpecial: true)
    }

    public func run(validation: ChatDataset, loss: Float, decodeLimit: Int, progress: ((Int) -> Void)? = nil) throws -> NextActionReport {
        var report = NextActionReport(validationLoss: loss, validationRows: validation.rows.count, decodedRows: 0,
                                      exactMatches: 0, samples: [])
        for row in validation.rows.prefix(decodeLimit) {
            guard let last = row.messages.lastIndex(where: { $0.role == .assistant }) else { continue }
            let output = try generate(Array(row.messages[..<last]))
            let reference = NextAction.extract(row.messages[last].content)
            let predicted = NextAction.extract(output)
            report.decodedRows += 1
            if let reference, reference == predicted { report.exactMatches += 1 }
            report.samples.append(.init(reference: reference, predicted: predicted, output: output))
            progress?(report.decodedRows)
        }
        return report
    }
}
