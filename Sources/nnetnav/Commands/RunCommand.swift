import ArgumentParser
import MainJob
import Foundation
import NNetnavSupport

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the whole job: sites, exploration, export, fine-tuning, evaluation.",
        discussion: """
        Starts the bundled sites on loopback, explores them with the model (the embedded SmolLM2-135M by \
        default), relabels and prunes the episodes, exports the demonstrations as chat JSONL, fine-tunes \
        the embedded model on them (LoRA, on CPU) and evaluates it before and after on held-out tasks of \
        the explored sites. Ends with one summary table.

        Everything is written under the output folder (default runs/main): crawl.sqlite, responses.sqlite, \
        dataset/, checkpoint/ (model.gguf, metrics.jsonl, loss.png), eval-before/ and eval-after/ \
        (episodes.jsonl, report.html). Rerunning resumes the crawl and replays cached model calls.

        Every setting can be changed from one JSON file (--config); see configs/ for examples.
        """)

    @Option(name: .long, help: "JSON file overriding any of the main job's settings (see configs/default.json).")
    var config: String?

    @Option(name: .long, help: "Output folder (overrides the config's \"output\").")
    var output: String?

    @Option(name: .long, help: "Explorer model (overrides the config's \"model\"): local, local:PATH, openai:MODEL, vllm:MODEL@URL...")
    var model: String?

    @Option(name: .long, help: "Number of exploration episodes (overrides the config's \"episodes\").")
    var episodes: Int?

    @Flag(name: .long, help: "Print the effective settings as JSON and exit.")
    var printConfig = false

    func run() async throws {
        var settings = try config.map { try MainJobConfig.load(from: URL(fileURLWithPath: $0)) } ?? MainJobConfig()
        if let output { settings.output = output }
        if let model { settings.model = model }
        if let episodes { settings.episodes = episodes }
        if printConfig {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(settings), as: UTF8.self))
            return
        }
        let job = MainJob(config: settings)
        let summary = try await job.run()
        print("")
        print(summary.table)
        print("outputs: \(job.outputDirectory.path)")
    }
}
