import ArgumentParser
import Foundation
import NNetnavSupport
import Evaluation
import Pipeline

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export demonstrations from a crawl store as JSONL.",
        discussion: """
        Writes sft_{train,validation}.jsonl (one open-instruct chat row per demonstration step: system = \
        the student policy prompt, user = observation + URL + objective + previous actions, assistant = \
        reasoning ending in the executed action, or the final stop) and trajectories_{train,validation}.jsonl \
        (one row per demonstration). The split is by episode. See datasets/schema.md.
        """)

    @Option(name: .long, help: "The crawl store written by `nnetnav explore`: a SQLite file or a postgres:// URL.")
    var store: StoreLocation

    @Option(name: .long, help: "Output folder.")
    var out: String

    @Option(name: .long, help: "Token budget of one SFT row (system + user + assistant), the trainer's sequence length; pages are truncated to fit. `nnetnav eval` must use the same budget to show the policy the prompts it was trained on.")
    var maxSequenceTokens = 4096

    @Option(name: .long, help: "Tokens kept free for the answer (the evaluated policy's generation limit).")
    var maxAnswerTokens = 384

    @Option(name: .long, help: "GGUF file whose tokenizer counts the budget (the student's; default: the embedded model), or 'bytes' for a bound that holds for every byte-level BPE.")
    var tokenizer: String?

    @Option(name: .long, help: "Percentage of episodes that go to the validation split.")
    var validationPercent = 10

    @Option(name: .long, help: "Seed of the train/validation split.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "The `dataset` field of every SFT row.")
    var datasetName = "nnetnav-swift"

    func validate() throws {
        guard (0...100).contains(validationPercent) else { throw ValidationError("--validation-percent must be 0...100") }
        try store.validateExists()
    }

    func run() async throws {
        let (crawl, finish) = try await store.openForReading()
        defer { finish() }
        let demos = try crawl.demonstrations()
        let prompt = StudentPrompt(template: try PromptLibrary().studentPolicy, maxSequenceTokens: maxSequenceTokens,
                                   maxAnswerTokens: maxAnswerTokens, tokens: try StudentTokens.counter(tokenizer))
        var exporter = DatasetExporter(studentPrompt: prompt)
        exporter.validationPercent = validationPercent
        exporter.seed = seed
        exporter.datasetName = datasetName
        let summary = try exporter.export(demos, to: URL(fileURLWithPath: out))
        print(summary)
        for file in summary.files { print("  \(file.path)") }
    }
}
