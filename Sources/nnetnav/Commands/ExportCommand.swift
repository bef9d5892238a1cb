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

    @OptionGroup var student: StudentPromptOptions

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
        var exporter = DatasetExporter(studentPrompt: try student.prompt())
        exporter.validationPercent = validationPercent
        exporter.seed = seed
        exporter.datasetName = datasetName
        let summary = try exporter.export(demos, to: URL(fileURLWithPath: out))
        print(summary)
        for file in summary.files { print("  \(file.path)") }
    }
}
