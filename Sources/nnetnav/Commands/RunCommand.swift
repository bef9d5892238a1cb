import ArgumentParser
import MainJob
import Foundation
import LanguageModels
import NNetnavSupport

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the whole job: sites, exploration, export, fine-tuning, evaluation.",
        discussion: """
        Starts the bundled sites on loopback, explores them with the teacher (any model spec; the embedded \
        SmolLM2-135M by default), relabels and prunes the episodes, exports the demonstrations as chat JSONL, \
        fine-tunes the student (a local checkpoint; the embedded model by default) on them (LoRA, on CPU) \
        and evaluates it before and after on held-out tasks of the explored sites. Ends with one summary table.

        Everything is written under the output folder (default runs/main): crawl.sqlite, responses.sqlite, \
        dataset/, checkpoint/ (model.gguf, metrics.jsonl, loss.png), eval-before/ and eval-after/ \
        (episodes.jsonl, report.html). Rerunning resumes the crawl and replays cached model calls.

        Every setting can be changed from one JSON file (--config); see configs/ for examples.
        """)

    @Option(name: .long, help: "JSON file overriding any of the main job's settings (see configs/default.json).")
    var config: String?

    @Option(name: .long, help: "Output folder (overrides the config's \"output\").")
    var output: String?

    @Option(name: [.customLong("teacher"), .customLong("model")],
            help: ArgumentHelp("The teacher: explores, labels and judges (overrides the config's \"teacher\"; --model is the same).",
                               discussion: ModelArgument.help))
    var teacher: ModelArgument?

    @Option(name: .long, help: "The student: the local checkpoint fine-tuned and evaluated, `local` (embedded) or a GGUF/safetensors path (overrides the config's \"student\").")
    var student: String?

    @Option(name: .long, help: "Number of exploration episodes (overrides the config's \"episodes\").")
    var episodes: Int?

    @Option(name: .long, help: ArgumentHelp("How model calls use the response cache (output folder's responses.sqlite).",
                                            discussion: "read-write (the default), replay (a request never made is an error), or refresh (call the model again and overwrite)."))
    var cacheMode: CachedChatModel.Mode = .readWrite

    @Flag(name: .long, help: "Print the effective settings as JSON and exit.")
    var printConfig = false

    func validate() throws {
        _ = try teacher?.spec(option: "--teacher")
        if let episodes, episodes <= 0 { throw ValidationError("--episodes must be positive") }
    }

    func run() async throws {
        var settings = try config.map { try MainJobConfig.load(from: URL(fileURLWithPath: $0)) } ?? MainJobConfig()
        if let output { settings.output = output }
        if let teacher { settings.teacher = teacher.text }
        if let student { settings.student = student }
        if let episodes { settings.episodes = episodes }
        if printConfig {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(settings), as: UTF8.self))
            return
        }
        try settings.validate()
        let job = MainJob(config: settings, cacheMode: cacheMode)
        let summary = try await job.run()
        print("")
        print(summary.table)
        print("outputs: \(job.outputDirectory.path)")
    }
}
