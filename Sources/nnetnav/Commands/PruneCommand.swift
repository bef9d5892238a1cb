import ArgumentParser
import Foundation
import Kernels
import LlamaModel
import NNetnavSupport
import Pruning
import Trainer

struct PruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Prune the policy model: magnitude, Wanda or D-Pruner scores; unstructured, N:M, FFN-channel or head masks.",
        discussion: """
        Scores every q/k/v/o/gate/up/down weight, removes the --sparsity fraction of it in the --pattern, and \
        writes DIR/model.gguf (fp32, with the tokenizer: run it with local:DIR/model.gguf), DIR/model.safetensors \
        (for nnetnav train --model) and DIR/prune.json (what was removed, and held-out scores when asked).

        Methods: magnitude |W| (no data); wanda |W|·‖X‖ on --general-calibration text; dpruner: D-Pruner's \
        dual importance, general importance from --general-calibration folded into the gradient of the loss on \
        --domain-calibration demonstrations (SFT JSONL). ffn-channels gathers the kept channels into smaller \
        matrices (a smaller, faster model); heads zeroes whole query heads; unstructured and 2:4 zero weights \
        (no CPU speed-up). For N:M patterns the sparsity is (M−N)/M and --sparsity is ignored.

        Examples:
          nnetnav prune --method wanda --pattern unstructured --sparsity 0.5 --out runs/wanda50
          nnetnav prune --method dpruner --pattern ffn-channels --sparsity 0.3 \\
            --domain-calibration datasets/sample/sft_train.jsonl --out runs/dpruner-ffn30
        """)

    @OptionGroup var source: PruningModelOptions
    @Option(help: "Fraction of weights (unstructured), channels (ffn-channels) or heads (heads) to remove.") var sparsity = 0.5
    @Option(help: "magnitude, wanda or dpruner.") var method: PruningMethod = .magnitude
    @Option(help: "unstructured, N:M (e.g. 2:4), ffn-channels or heads.") var pattern: PruningPattern = .unstructured
    @Option(help: "Open-domain text for Wanda and D-Pruner's general importance. Default: datasets/calibration/general_calibration.txt.")
    var generalCalibration: String?
    @Option(help: "Calibration segments of --seq-len tokens taken from the general text.") var generalSegments = 16
    @Option(help: "Web demonstrations (SFT JSONL) for D-Pruner's domain importance.") var domainCalibration: String?
    @Option(help: "Demonstration rows D-Pruner scores on.") var domainRows = 64
    @Option(help: "D-Pruner's regulariser weight λ.") var dprunerLambda: Float = 0.1
    @Option(help: "Round kept FFN channels up to a multiple of this (32 keeps quantized decoding).") var channelMultiple = 32
    @Option(help: "Held-out open-domain text to report perplexity on.") var evalText: String?
    @Option(help: "Held-out demonstrations (SFT JSONL) to report loss on.") var evalData: String?
    @Option(help: "Held-out text segments scored.") var evalSegments = 8
    @Option(help: "Output directory.") var out: String

    func validate() throws {
        guard (0..<1).contains(sparsity) else { throw ValidationError("--sparsity must be in [0, 1)") }
        if method == .dpruner, domainCalibration == nil { throw ValidationError("--method dpruner needs --domain-calibration (SFT JSONL)") }
        for path in [generalCalibration, domainCalibration, evalText, evalData].compactMap({ $0 }) where !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("file not found: \(path)")
        }
    }

    func run() async throws {
        BLASInfo.setThreads(source.threads)
        let (weights, file, tokenizer, template) = try source.load()
        var pruner = Pruner(method: method, pattern: pattern, sparsity: sparsity, channelMultiple: channelMultiple)
        pruner.sequenceLength = source.seqLen
        pruner.dpruner.lambda = dprunerLambda
        var general: [[Int]] = []
        if method != .magnitude {
            let url = generalCalibration.map { URL(fileURLWithPath: $0) }
                ?? ProjectLayout.current.root.appendingPathComponent("datasets/calibration/general_calibration.txt")
            let text = try String(contentsOf: url, encoding: .utf8)
            general = PruningEvaluation.segments(tokenizer.encode(text, allowSpecial: false), length: source.seqLen, limit: generalSegments)
        }
        var domain: [TrainingExample] = []
        if let domainCalibration {
            let rows = try ChatDataset(jsonl: URL(fileURLWithPath: domainCalibration)).rows.prefix(domainRows)
            domain = ChatDataset(rows: Array(rows)).examples(tokenizer: tokenizer, template: template)
        }
        let started = Date()
        let result = try pruner.prune(weights, general: general, domain: domain)
        let seconds = Date().timeIntervalSince(started)
        let outURL = URL(fileURLWithPath: out)
        try PrunedModelWriter.write(result.weights, tokenizerSource: file, to: outURL)
        var report = PruneReport(method: method.rawValue, pattern: pattern.description, requestedSparsity: sparsity,
                                 removedFraction: result.mask.sparsity, removedWeights: result.mask.removedCount,
                                 prunableWeights: result.mask.totalCount, parameters: result.weights.config.parameterCount,
                                 denseParameters: weights.config.parameterCount, hiddenDim: result.weights.config.hiddenDim,
                                 generalTokens: general.reduce(0) { $0 + $1.count }, domainRows: domain.count, seconds: seconds,
                                 removedHeads: result.mask.removedHeads, dpruner: result.dprunerDiagnostics)
        if let evalText {
            let ids = tokenizer.encode(try String(contentsOf: URL(fileURLWithPath: evalText), encoding: .utf8), allowSpecial: false)
            report.heldOutPerplexity = try PruningEvaluation.perplexity(result.weights, segments: PruningEvaluation.segments(ids, length: source.seqLen, limit: evalSegments))
        }
        if let evalData {
            let rows = try ChatDataset(jsonl: URL(fileURLWithPath: evalData))
            report.heldOutDemonstrationLoss = try PruningEvaluation.demonstrationLoss(
                result.weights, examples: rows.examples(tokenizer: tokenizer, template: template), sequenceLength: source.seqLen)
        }
        try writeJSON(report, to: outURL.appendingPathComponent("prune.json"))
        print(String(format: "%@ %@: removed %.1f%% of prunable weights, %d → %d parameters, %.1f s",
                     method.rawValue, pattern.description, 100 * result.mask.sparsity, weights.config.parameterCount,
                     result.weights.config.parameterCount, seconds))
        if let d = result.dprunerDiagnostics {
            print(String(format: "D-Pruner: %d domain rows, regulariser/gradient magnitude %.3g", d.rows, d.regulariserToGradient))
        }
        if let p = report.heldOutPerplexity { print(String(format: "held-out text perplexity %.3f", p)) }
        if let l = report.heldOutDemonstrationLoss { print(String(format: "held-out demonstration loss %.4f", l)) }
        print("wrote \(outURL.path)/model.gguf (run it with local:\(outURL.path)/model.gguf)")
    }
}

struct PruneReport: Codable {
    var method: String
    var pattern: String
    var requestedSparsity: Double
    var removedFraction: Double
    var removedWeights: Int
    var prunableWeights: Int
    var parameters: Int
    var denseParameters: Int
    var hiddenDim: Int
    var generalTokens: Int
    var domainRows: Int
    var seconds: Double
    var removedHeads: [[Int]]?
    var dpruner: DPrunerImportance.Diagnostics?
    var heldOutPerplexity: Double?
    var heldOutDemonstrationLoss: Double?
}
