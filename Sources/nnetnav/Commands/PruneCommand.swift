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
    @Option(parsing: .upToNextOption, help: "Fraction of weights (unstructured), channels (ffn-channels) or heads (heads) to remove; several values sweep them.")
    var sparsity: [Double] = [0.5]
    @Option(help: "magnitude, wanda or dpruner.") var method: PruningMethod = .magnitude
    @Option(parsing: .upToNextOption, help: "unstructured, N:M (e.g. 2:4), ffn-channels or heads; several values sweep them.")
    var pattern: [PruningPattern] = [.unstructured]
    @Option(help: "Encoding of model.gguf's weights: f32 (zeros stay exact), q8_0 or q4_1 (the embedded model's; a smaller FFN then decodes faster than the dense file).")
    var weightType = "f32"
    @Flag(help: "Write only prune.json (the held-out scores), not the pruned weights: for measurement sweeps.") var skipWeights = false
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
    @Option(help: "Output directory; a sweep writes one sub-directory per pattern and sparsity (PATTERN-SPARSITY).") var out: String

    func validate() throws {
        guard !sparsity.isEmpty, sparsity.allSatisfy({ (0..<1).contains($0) }) else { throw ValidationError("--sparsity must be in [0, 1)") }
        guard !pattern.isEmpty else { throw ValidationError("--pattern needs a value") }
        guard Self.weightTypes[weightType] != nil else { throw ValidationError("--weight-type must be f32, q8_0 or q4_1") }
        if method == .dpruner, domainCalibration == nil { throw ValidationError("--method dpruner needs --domain-calibration (SFT JSONL)") }
        for path in [generalCalibration, domainCalibration, evalText, evalData].compactMap({ $0 }) where !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("file not found: \(path)")
        }
    }

    static let weightTypes: [String: GGMLType] = ["f32": .f32, "q8_0": .q8_0, "q4_1": .q4_1]

    func run() async throws {
        BLASInfo.setThreads(source.threads)
        let (weights, file, tokenizer, template) = try source.load()
        var pruner = Pruner(method: method, pattern: pattern[0], sparsity: sparsity[0], channelMultiple: channelMultiple)
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
        var heldOutText: [[Int]] = []
        if let evalText {
            let ids = tokenizer.encode(try String(contentsOf: URL(fileURLWithPath: evalText), encoding: .utf8), allowSpecial: false)
            heldOutText = PruningEvaluation.segments(ids, length: source.seqLen, limit: evalSegments)
        }
        let heldOutRows = try evalData.map { try ChatDataset(jsonl: URL(fileURLWithPath: $0)).examples(tokenizer: tokenizer, template: template) }
        // One scoring pass serves every pattern and sparsity of a sweep.
        let started = Date()
        let (scores, diagnostics) = try pruner.scores(weights, general: general, domain: domain)
        let scoringSeconds = Date().timeIntervalSince(started)
        if let d = diagnostics {
            print(String(format: "D-Pruner: %d domain rows, regulariser/gradient magnitude %.3g", d.rows, d.regulariserToGradient))
        }
        let sweep = pattern.count * sparsity.count > 1
        for p in pattern {
            for s in sparsity {
                let outURL = sweep ? URL(fileURLWithPath: out).appendingPathComponent("\(p.description.replacingOccurrences(of: ":", with: "of"))-\(s)")
                                   : URL(fileURLWithPath: out)
                let builder = MaskBuilder(pattern: p, sparsity: s, withinRows: method.comparesWithinRows && p == .unstructured,
                                          channelMultiple: channelMultiple)
                let mask = try builder.build(scores, config: weights.config)
                let pruned = try mask.keptChannels.map { try ChannelGather.gather(weights, keptChannels: $0) } ?? mask.applied(to: weights)
                try FileManager.default.createDirectory(at: outURL, withIntermediateDirectories: true)
                if !skipWeights { try PrunedModelWriter.write(pruned, tokenizerSource: file, to: outURL, weightType: Self.weightTypes[weightType]!) }
                var report = PruneReport(method: method.rawValue, pattern: p.description, requestedSparsity: s,
                                         removedFraction: mask.sparsity, removedWeights: mask.removedCount,
                                         prunableWeights: mask.totalCount, parameters: pruned.config.parameterCount,
                                         denseParameters: weights.config.parameterCount, hiddenDim: pruned.config.hiddenDim,
                                         generalTokens: general.reduce(0) { $0 + $1.count }, domainRows: domain.count,
                                         seconds: scoringSeconds, removedHeads: mask.removedHeads, dpruner: diagnostics)
                if !heldOutText.isEmpty { report.heldOutPerplexity = try PruningEvaluation.perplexity(pruned, segments: heldOutText) }
                if let heldOutRows {
                    report.heldOutDemonstrationLoss = try PruningEvaluation.demonstrationLoss(pruned, examples: heldOutRows, sequenceLength: source.seqLen)
                }
                try writeJSON(report, to: outURL.appendingPathComponent("prune.json"))
                print(String(format: "%@ %@ %.2f: removed %.1f%% of prunable weights, %d → %d parameters (scoring %.1f s)",
                             method.rawValue, p.description, s, 100 * mask.sparsity, weights.config.parameterCount,
                             pruned.config.parameterCount, scoringSeconds))
                if let v = report.heldOutPerplexity { print(String(format: "  held-out text perplexity %.3f", v)) }
                if let v = report.heldOutDemonstrationLoss { print(String(format: "  held-out demonstration loss %.4f", v)) }
                if !skipWeights { print("  wrote \(outURL.path)/model.gguf (run it with local:\(outURL.path)/model.gguf)") }
            }
        }
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
