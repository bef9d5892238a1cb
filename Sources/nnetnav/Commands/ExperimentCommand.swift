import ArgumentParser
import Evaluation
import Experiment
import Foundation
import NNetnavSupport
import Pipeline
import WebSites
import WebTasks

struct ExperimentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Measure whether the demonstrations teach: base vs fine-tuned vs oracle on held-out tasks.",
        discussion: """
        Evaluates three arms on the same held-out tasks and seeds: base (the student zero-shot), nnetnav \
        (the student fine-tuned on a crawl's SFT rows, --data) and oracle, the ceiling (the student \
        fine-tuned on the same number of rows from scripted solutions of training-split tasks, never the \
        evaluated ones). The bundled sites' tasks are split once into training and held-out parts, \
        recorded in datasets/experiment/split.json; MiniWoB++ evaluation uses its evaluation seeds, \
        which exploration never uses.

        Reports per arm the success rate with its count and 95% Wilson interval, paired comparisons \
        (difference with Newcombe's interval, exact McNemar test), a per-task table and the cost (model \
        calls, tokens, CPU time), in --out: report.md, report.html, report.json, results.jsonl and \
        success.png. Each arm's evaluation streams into its own folder, so rerunning the same command \
        resumes; fine-tuned checkpoints are reused while their data and options are unchanged.

        Examples:
          nnetnav run && nnetnav experiment --data runs/main/dataset/sft_train.jsonl
          nnetnav experiment --data D/sft_train.jsonl --sites shop,forum,wiki --tasks-per-site 10 --miniwob nnetnav --seeds 3
          nnetnav experiment --arms base,oracle --sites wiki
          nnetnav experiment --write-split     (redraw datasets/experiment/split.json; only when adding a site)
        """)

    @Option(name: .long, help: "The nnetnav arm's training rows: a crawl's exported sft_train.jsonl.")
    var data: String?

    @Option(name: .long, help: "Arms, comma-separated, in report order: base, nnetnav, oracle.")
    var arms = "base,nnetnav,oracle"

    @Option(name: .long, help: "Sites whose held-out tasks are evaluated, comma-separated.")
    var sites = "shop,forum"

    @Option(name: .long, help: "Held-out tasks per site, easiest first.")
    var tasksPerSite = 8

    @Option(name: .long, help: "Only held-out tasks of at most this difficulty (steps of the reference solution).")
    var maxDifficulty = 4

    @Option(name: .long, help: "Step limit per task.")
    var maxSteps = 6

    @Option(name: .long, help: "Also evaluate on MiniWoB++ (needs chromium): 'nnetnav', 'all' or task names.")
    var miniwob: String?

    @Option(name: .long, help: "With --miniwob: evaluation seeds per task.")
    var seeds = 3

    @Option(name: .long, help: "The student's starting checkpoint (GGUF or safetensors); default the embedded model.")
    var student: String?

    @Option(name: .long, help: "Optimizer steps of each fine-tuned arm.")
    var trainSteps = 24

    @Option(name: .long, help: "LoRA rank (0 trains every weight).")
    var loraRank = 8

    @Option(name: .long, help: "Peak learning rate of each fine-tuned arm.")
    var learningRate: Float = ExperimentSettings().training.learningRate

    @Option(name: .customLong("action-weight"), help: ActionWeightArgument.help)
    var actionWeights: [ActionWeightArgument] = []

    @Flag(inversion: .prefixedNo, help: ArgumentHelp("Keep only the first row of each run of consecutive `scroll [down]` rows of a demonstration.",
                                                     discussion: "Scripted solutions scroll until their element shows, so one identical target can fill a quarter of the rows and a short fine-tuning learns to scroll everywhere."))
    var collapseScrolls = false

    @Option(name: .long, help: ArgumentHelp("How every arm's policy picks an action: reasoned, choice or free.",
                                            discussion: "reasoned (the default): the policy writes its reasoning first, as NNetnav's targets have it, and the page's valid actions and answer texts are scored as the end of that answer; it can never write a goto or an answer that is not on the page. choice: the same candidates scored as whole answers without reasoning (one call per step). free: the model writes its answer (a goto, any answer text), and an unparseable one falls back to the choice."))
    var decoding: PolicyDecoding = .reasoned

    @OptionGroup var choiceReading: ChoiceReadingOptions

    @Option(name: .long, help: ArgumentHelp("How the scripted solutions (the oracle's data, the teacher-forced references) reach their pages: clicks or as-written.",
                                            discussion: "clicks (the default): every goto step is replaced by the shortest path of link clicks found on the live site, or by typing the URL's query into the page's search box; a step with no such path stays a goto. as-written: the solutions' own gotos, which a policy choosing among the page's elements can never take."))
    var solutions: SolutionNavigation = .clicks

    @Flag(inversion: .prefixedNo, help: "Train the oracle on as many rows as the nnetnav arm has.")
    var matchRows = true

    @Option(name: .long, help: "Tasks run at once (site instances).")
    var instances = 1

    @Option(name: .long, help: "Seed of training and sampling.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Output folder.")
    var out = ProjectLayout.current.runs.appendingPathComponent("experiment").path

    @Flag(name: .long, help: "Redraw datasets/experiment/split.json from the task sets and exit.")
    var writeSplit = false

    @Flag(name: .long, help: ArgumentHelp("Write only the oracle arm's rows (OUT/oracle/data/sft_train.jsonl; with --collapse-scrolls also OUT/oracle/sft_scroll_runs_collapsed.jsonl) and exit.",
                                          discussion: "A pool of correct demonstrations of training-split tasks, e.g. for recovering a pruned student with nnetnav select."))
    var oracleDataOnly = false

    var settings: ExperimentSettings {
        get throws {
            var s = ExperimentSettings()
            s.arms = try arms.split(separator: ",").map {
                guard let arm = ExperimentSettings.Arm(rawValue: String($0)) else {
                    throw ValidationError("unknown arm '\($0)': use base, nnetnav or oracle")
                }
                return arm
            }
            s.sites = sites.split(separator: ",").map(String.init)
            s.tasksPerSite = tasksPerSite
            s.maxDifficulty = maxDifficulty
            s.maxSteps = maxSteps
            s.miniwob = miniwob
            s.miniwobSeeds = seeds
            s.nnetnavData = data.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            s.student = student.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            s.training.steps = trainSteps
            s.training.loraRank = loraRank
            s.training.learningRate = learningRate
            s.training.actionWeights = ActionWeightArgument.table(actionWeights)
            s.collapseScrollRuns = collapseScrolls ? true : nil
            s.matchRows = matchRows
            s.decoding = decoding
            s.choiceScoring = choiceReading.choiceScoring == .joint ? nil : choiceReading.choiceScoring
            s.answerReasoning = choiceReading.answerReasoning == .empty ? nil : choiceReading.answerReasoning
            s.solutionNavigation = solutions == .asWritten ? nil : solutions
            s.instances = instances
            s.seed = seed
            return s
        }
    }

    func validate() throws {
        if writeSplit { return }
        guard learningRate > 0 else { throw ValidationError("--learning-rate must be positive") }
        do { try settings.validate() } catch let error as ExperimentError { throw ValidationError(error.description) }
    }

    func run() async throws {
        if writeSplit {
            let split = TaskSplit.draw(try SiteName.allCases.map { try TaskSet.load(site: $0) })
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let file = TaskSplit.file()
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try (encoder.encode(split) + Data("\n".utf8)).write(to: file, options: .atomic)
            print("wrote \(file.path)")
            return
        }
        let experiment = LearningExperiment(settings: try settings, output: URL(fileURLWithPath: out))
        if oracleDataOnly {
            let rows = try await experiment.writeOracleData()
            print("wrote \(rows.path)")
            return
        }
        let work = Task { try await experiment.run() }
        let interrupt = Interrupt.cancelOnInterrupt(work)
        defer { interrupt.cancel() }
        do {
            let report = try await work.value
            print(report.markdown)
            print("report: \(out)/report.html")
        } catch is CancellationError {
            print("interrupted; rerun the same command to finish (finished episodes and checkpoints are kept in \(out))")
            throw ExitCode(130)
        }
    }
}
