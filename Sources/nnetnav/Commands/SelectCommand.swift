import ArgumentParser
import Foundation
import Kernels
import LlamaModel
import NNetnavSupport
import Pruning
import Trainer

struct SelectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "select",
        abstract: "PASER: pick the demonstrations a pruned model most needs to recover on, within a budget.",
        discussion: """
        Embeds each row's instruction with the dense model (mean of its final hidden states), clusters the \
        pool spectrally (k-nearest-neighbour graph, normalised-Laplacian eigenvectors, k-means), measures the \
        pruned model's degradation on every row's target (mean Jensen–Shannon divergence from the dense \
        model's next-token distributions), gives each cluster a share of the budget by its mean degradation, \
        takes each cluster's rows by degradation per cost, and drops rows whose prompt nearly duplicates a \
        selected one but whose action differs. Writes DIR/selected.jsonl (the chosen lines, unchanged, for \
        nnetnav train --data) and DIR/selection.json (clusters, degradation, allocation, conflicts). \
        --strategy random draws the same number of rows uniformly (seeded): PASER's baseline. Several \
        budgets share one scoring pass and go to DIR/budget-VALUE/.

        Example:
          nnetnav select --budget 10% 20% --data sft_train.jsonl --dense models/SmolLM2-135M-Instruct.Q4_1.gguf \\
            --pruned runs/wanda50/model.gguf --out runs/paser
          nnetnav select --strategy random --budget 10% 20% --data sft_train.jsonl --out runs/random
        """)

    @Option(parsing: .upToNextOption, help: "Rows to select: a percentage of the pool (10%), a fraction (0.1) or a count (50); several values sweep them from one scoring pass into DIR/budget-VALUE/.")
    var budget: [BudgetArgument]
    @Option(help: "paser (the method) or random (the baseline it is compared with: a seeded uniform sample, no model needed).")
    var strategy: SelectionStrategy = .paser
    @Option(help: "Demonstration pool (SFT JSONL).") var data: String
    @Option(help: "The dense model (GGUF or safetensors); paser only.") var dense: String?
    @Option(help: "The pruned model (GGUF or safetensors); paser only.") var pruned: String?
    @Option(help: "Clusters (default: 10, fewer for small pools, about √(n/2)).") var clusters: Int?
    @Option(help: "Degradation measure: jsd (PASER) or loss (increase of the target loss).") var degradation = "jsd"
    @Option(help: "Tokens per row scored.") var seqLen = 1024
    @Option(help: "paser: reuse the per-row degradation and clusters of an earlier run's selection.json over the same --data (no model is run; for other budgets or --stratify-actions).")
    var reuseScores: String?
    @Flag(help: "paser: split each cluster's share across action kinds in proportion to the cluster's rows of each kind (keeps the pool's action mix; not in the paper).")
    var stratifyActions = false
    @Option(help: "Seed of the random strategy.") var seed: UInt64 = 1
    @Option(help: "Cores for the BLAS kernels.") var threads = 2
    @Option(help: "Output directory.") var out: String

    enum SelectionStrategy: String, ExpressibleByArgument, CaseIterable { case paser, random }

    func validate() throws {
        guard !budget.isEmpty else { throw ValidationError("--budget needs at least one value") }
        if !FileManager.default.fileExists(atPath: data) { throw ValidationError("file not found: \(data)") }
        if strategy == .paser, let reuseScores {
            guard FileManager.default.fileExists(atPath: reuseScores) else { throw ValidationError("file not found: \(reuseScores)") }
        } else if strategy == .paser {
            guard let dense, let pruned else { throw ValidationError("--strategy paser needs --dense and --pruned") }
            for path in [dense, pruned] where !FileManager.default.fileExists(atPath: path) { throw ValidationError("file not found: \(path)") }
        }
        guard ["jsd", "loss"].contains(degradation) else { throw ValidationError("--degradation must be jsd or loss") }
        if let clusters, clusters < 1 { throw ValidationError("--clusters must be at least 1") }
    }

    /// Where one budget's selection goes: DIR itself for a single budget, DIR/budget-VALUE/ for a sweep.
    func folder(for budget: BudgetArgument) -> URL {
        let root = URL(fileURLWithPath: out)
        return self.budget.count == 1 ? root : root.appendingPathComponent("budget-\(budget.text)")
    }

    func run() async throws {
        BLASInfo.setThreads(threads)
        let dataURL = URL(fileURLWithPath: data)
        let pool = try ChatDataset(jsonl: dataURL)
        // The selected rows are written as the exact lines they were read from.
        let lines = try String(contentsOf: dataURL, encoding: .utf8).split(separator: "\n").map(String.init)
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        guard lines.count == pool.rows.count else { throw ValidationError("\(data): could not match rows to lines") }
        switch strategy {
        case .random: try selectRandomly(lines: lines)
        case .paser: try selectByPASER(pool: pool, lines: lines)
        }
    }

    private func selectRandomly(lines: [String]) throws {
        var random = SplitMix64(seed: seed)
        let order = Array(lines.indices).shuffled(using: &random)
        for b in budget {
            let chosen = Array(order.prefix(b.rows(pool: lines.count)))
            let folder = folder(for: b)
            try write(chosen.map { lines[$0] }, to: folder)
            try writeJSON(RandomSelectionReport(pool: lines.count, budget: chosen.count, seed: seed, selectedLines: chosen.map { $0 + 1 }),
                          to: folder.appendingPathComponent("selection.json"))
            print("selected \(chosen.count) of \(lines.count) rows at random (seed \(seed)); wrote \(folder.path)/selected.jsonl")
        }
    }

    private func selectByPASER(pool: ChatDataset, lines: [String]) throws {
        let denseURL = dense.map { URL(fileURLWithPath: $0) } ?? ProjectLayout.current.defaultModelFile
        let tokenizerFile = try GGUFFile(url: denseURL.pathExtension == "gguf" ? denseURL : ProjectLayout.current.defaultModelFile)
        let (tokenizer, template) = (try BPETokenizer(gguf: tokenizerFile), ChatTemplate(gguf: tokenizerFile))
        let candidates: [RecoveryCandidate?]
        var labels: [Int]? = nil
        if let reuseScores {
            // A random selection's report has no scores; say so rather than print a decoding error.
            guard let earlier = try? JSONDecoder().decode(SelectionReport.self, from: Data(contentsOf: URL(fileURLWithPath: reuseScores))) else {
                throw ValidationError("\(reuseScores) is not the selection.json of a paser run (no per-row degradation and clusters)")
            }
            guard earlier.pool == pool.rows.count, earlier.scored == pool.rows.count, earlier.rowDegradation.count == pool.rows.count,
                  earlier.result.clusterOfRow.count == pool.rows.count else {
                throw ValidationError("\(reuseScores) does not score every row of \(data) (\(earlier.scored) of \(earlier.pool) scored, pool \(pool.rows.count))")
            }
            guard earlier.degradation == degradation else { throw ValidationError("\(reuseScores) measured \(earlier.degradation), not \(degradation)") }
            candidates = RecoverySelectionRun.candidates(pool.rows, degradation: earlier.rowDegradation, tokenizer: tokenizer,
                                                         template: template, sequenceLength: seqLen)
            labels = earlier.result.clusterOfRow
        } else {
            var run = RecoverySelectionRun(dense: try PrunedModelWriter.load(denseURL), pruned: try PrunedModelWriter.load(URL(fileURLWithPath: pruned!)),
                                           tokenizer: tokenizer, template: template)
            run.sequenceLength = seqLen
            run.useLossIncrease = degradation == "loss"
            let bar = ProgressBar(label: "score", total: pool.rows.count, unit: "row")
            candidates = try run.candidates(pool.rows) { _ in bar.advance() }
            bar.finish()
        }
        let usable = candidates.indices.filter { candidates[$0] != nil }
        let k = labels.map { ($0.max() ?? 0) + 1 } ?? clusters ?? RecoverySelectionRun.defaultClusters(pool: usable.count)
        for b in budget {
            let rows = b.rows(pool: usable.count)
            var selection = RecoverySelection(clusters: k)
            selection.stratifyByAction = stratifyActions
            let result = selection.select(usable.map { candidates[$0]! }, budget: rows, clusterLabels: labels)
            let folder = folder(for: b)
            let chosen = result.selected.map { usable[$0] }
            try write(chosen.map { lines[$0] }, to: folder)
            try writeJSON(SelectionReport(pool: pool.rows.count, scored: usable.count, budget: rows, selectedLines: chosen.map { $0 + 1 },
                                          degradation: degradation, rowDegradation: usable.map { candidates[$0]!.degradation },
                                          result: result), to: folder.appendingPathComponent("selection.json"))
            print("budget \(b.text): selected \(chosen.count) of \(pool.rows.count) rows in \(result.clusterSizes.count) clusters; \(result.conflicts.count) conflicting rows dropped")
            for c in result.clusterSizes.indices {
                print(String(format: "  cluster %d: %d rows, mean %@ %.4g, %d selected", c, result.clusterSizes[c], degradation,
                             result.clusterDegradation[c], result.allocation[c]))
            }
            print("wrote \(folder.path)/selected.jsonl")
        }
    }

    private func write(_ lines: [String], to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try (lines.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("selected.jsonl"), atomically: true, encoding: .utf8)
    }
}

struct RandomSelectionReport: Codable {
    var strategy = "random"
    var pool: Int
    var budget: Int
    var seed: UInt64
    /// 1-based line numbers of the selected rows in the pool file.
    var selectedLines: [Int]
}

struct SelectionReport: Codable {
    var pool: Int
    var scored: Int
    var budget: Int
    /// 1-based line numbers of the selected rows in the pool file.
    var selectedLines: [Int]
    var degradation: String
    var rowDegradation: [Double]
    var result: RecoverySelection.Result
}
