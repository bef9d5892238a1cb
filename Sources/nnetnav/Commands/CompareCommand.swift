import ArgumentParser
import Evaluation
import Foundation

/// `nnetnav compare`: teacher-forced evaluations of several training seeds against their "before",
/// pooled by task (one seed is one draw of the training noise; session 17's seeds disagreed on
/// whether the student collapsed onto `stop`).
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare teacher-forced evaluations over several seeds, pooled by task.",
        discussion: """
        Each --after folder (an `eval --follow-reference` run, e.g. OUT/nnetnav/eval-reference-steps of \
        an experiment run with --seed i) is paired with the --before of the same position, or with the \
        only --before. Prints each run's comparison as `eval --compare` does, then the log-probability \
        of the reference pooled over the runs: each task's difference is its mean over its steps and \
        all runs, the 95% t interval is over tasks.

          nnetnav compare --before runs/a/base/eval-reference-steps \\
            --after runs/a/nnetnav/eval-reference-steps --after runs/b/nnetnav/eval-reference-steps
        """)

    @Option(help: "Evaluation folder(s) of the reference side: one, or one per --after.")
    var before: [String]

    @Option(help: "Evaluation folders of the compared side, one per run.")
    var after: [String]

    func validate() throws {
        guard !after.isEmpty else { throw ValidationError("give at least one --after folder") }
        guard before.count == 1 || before.count == after.count else {
            throw ValidationError("give one --before, or as many as --after (\(after.count)), not \(before.count)")
        }
    }

    func run() throws {
        let url = { (path: String) in URL(fileURLWithPath: path) }
        guard let pooled = try PooledReferenceComparison.load(before: before.map(url), after: after.map(url)) else {
            throw ValidationError("no run was teacher-forced on both sides (run eval with --follow-reference)")
        }
        pooled.lines.forEach { print($0) }
    }
}
