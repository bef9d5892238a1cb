import Foundation
import LanguageModels
import NNetnavSupport
import WebBrowser

/// Writes demonstrations as per-step chat SFT rows and as trajectories, split by episode.
///
/// Every row is rendered by `StudentPrompt`, the renderer evaluation uses, and fits its
/// `maxSequenceTokens` in the student's tokens: pages are truncated, the system prompt and the
/// assistant target never are (unlike NNetnav's right-truncated rows). Failed actions get no row.
public struct DatasetExporter: Sendable {
    public var studentPrompt: StudentPrompt
    public var datasetName = "nnetnav-swift"
    /// Percentage of episodes that go to validation (NNetnav v2: 10).
    public var validationPercent = 10
    public var seed: UInt64 = 0

    public init(studentPrompt: StudentPrompt) { self.studentPrompt = studentPrompt }

    public enum Split: String, Sendable, CaseIterable { case train, validation }

    /// Deterministic split by episode, so the steps of an episode never straddle train and validation.
    public func split(episode: Int) -> Split {
        TextMeasures.fnv1a("split/\(seed)/\(episode)") % 100 < UInt64(validationPercent) ? .validation : .train
    }

    /// The student's view of step `t` of a demonstration (`t == steps.count` is the final state).
    public static func studentStep(_ demo: Demonstration, at t: Int) -> StudentPrompt.Step {
        let isFinal = t == demo.steps.count
        return StudentPrompt.Step(observation: isFinal ? demo.finalObservation : demo.steps[t].observation,
                                  url: isFinal ? demo.finalURL : demo.steps[t].url, objective: demo.instruction,
                                  previousActions: demo.steps.prefix(t).map(\.actionDescription))
    }

    /// One exported row, or why a step has none.
    public enum RowResult: Sendable, Hashable {
        case row(ChatSFTRow)
        /// The target alone leaves no room for the page.
        case overBudget(step: Int)
        /// The step's action failed; it is history, never a target.
        case failedAction(step: Int)
        /// The action names an element the row's (truncated) page does not show: such a row would
        /// teach the student to act on ids it cannot see.
        case hiddenTarget(step: Int)

        public var row: ChatSFTRow? { if case .row(let r) = self { r } else { nil } }
    }

    /// The SFT rows of one demonstration: one per executed step plus the final stop step.
    public func rows(for demo: Demonstration) -> [RowResult] {
        (0...demo.steps.count).map { t in
            let isStop = t == demo.steps.count
            if !isStop && demo.steps[t].failed { return .failedAction(step: t) }
            let target = isStop ? demo.stopTarget : demo.steps[t].rationale
            guard let prompt = studentPrompt.messages(for: Self.studentStep(demo, at: t), target: target) else {
                return .overBudget(step: t)
            }
            if !isStop, let id = ActionParser.parse(action: demo.steps[t].action).elementID,
               !Self.shows(element: id, in: prompt.map(\.content).joined(separator: "\n")) {
                return .hiddenTarget(step: t)
            }
            return .row(ChatSFTRow(dataset: datasetName, id: "\(demo.episode):\(demo.depth):\(demo.start + t)",
                                   messages: prompt + [.assistant(target)]))
        }
    }

    /// Whether a prompt prints element `id` as a page line (`\t…[id] role 'name'`), not only in the history.
    static func shows(element id: Int, in prompt: String) -> Bool {
        let mark = "[\(id)] "
        return prompt.split(separator: "\n").contains { $0.drop(while: { $0 == "\t" }).hasPrefix(mark) }
    }

    public func trajectory(_ demo: Demonstration) -> TrajectoryRow {
        TrajectoryRow(id: "\(demo.episode):\(demo.depth)", episode: demo.episode, depth: demo.depth, site: demo.site,
                      persona: demo.persona, instruction: demo.instruction, judge_score: demo.judgeScore,
                      steps: demo.steps.map {
                          .init(url: $0.url, observation: $0.observation, action: $0.action,
                                action_description: $0.actionDescription, state_change: $0.stateChange,
                                rationale: $0.rationale, error: $0.error, locator: $0.locator)
                      },
                      final_url: demo.finalURL, final_observation: demo.finalObservation,
                      stop_action: demo.stopAction, stop_answer: demo.stopAnswer)
    }

    public struct Summary: Sendable, CustomStringConvertible {
        public var demonstrations = 0
        public var rows: [Split: Int] = [:]
        public var trajectories: [Split: Int] = [:]
        public var droppedRows = 0
        public var truncatedRows = 0
        public var failedActionSteps = 0
        public var hiddenTargetRows = 0
        public var files: [URL] = []

        public var description: String {
            "\(demonstrations) demonstrations → SFT rows train \(rows[.train] ?? 0) / validation \(rows[.validation] ?? 0) "
                + "(\(truncatedRows) with truncated pages, \(droppedRows) dropped: target over budget, "
                + "\(hiddenTargetRows) dropped: target element cut from the page, "
                + "\(failedActionSteps) failed actions kept as history only); "
                + "trajectories train \(trajectories[.train] ?? 0) / validation \(trajectories[.validation] ?? 0)"
        }
    }

    /// The files `export` writes, which are replaced together.
    public static let fileNames: Set<String> = Set(Split.allCases.flatMap { ["sft_\($0.rawValue).jsonl", "trajectories_\($0.rawValue).jsonl"] })

    /// Writes `sft_{train,validation}.jsonl` and `trajectories_{train,validation}.jsonl` into `directory`,
    /// as one set (`AtomicDirectory`): a reader or a kill never sees train rows of one export beside
    /// validation rows of another.
    public func export(_ demos: [Demonstration], to directory: URL) throws -> Summary {
        var summary = Summary()
        summary.demonstrations = demos.count
        var sft: [Split: [ChatSFTRow]] = [.train: [], .validation: []]
        var trajectories: [Split: [TrajectoryRow]] = [.train: [], .validation: []]
        for demo in demos {
            let split = split(episode: demo.episode)
            for result in rows(for: demo) {
                switch result {
                case .row(let row):
                    if row.messages[1].content.contains(TextMeasures.truncationMarker) { summary.truncatedRows += 1 }
                    sft[split]!.append(row)
                case .overBudget: summary.droppedRows += 1
                case .failedAction: summary.failedActionSteps += 1
                case .hiddenTarget: summary.hiddenTargetRows += 1
                }
            }
            trajectories[split]!.append(trajectory(demo))
        }
        try AtomicDirectory.replace(directory, ownedFiles: Self.fileNames) { folder in
            for split in Split.allCases {
                try JSONLines.write(sft[split]!, to: folder.appendingPathComponent("sft_\(split.rawValue).jsonl"))
                try JSONLines.write(trajectories[split]!, to: folder.appendingPathComponent("trajectories_\(split.rawValue).jsonl"))
            }
        }
        for split in Split.allCases {
            summary.rows[split] = sft[split]!.count
            summary.trajectories[split] = trajectories[split]!.count
            summary.files += [directory.appendingPathComponent("sft_\(split.rawValue).jsonl"),
                              directory.appendingPathComponent("trajectories_\(split.rawValue).jsonl")]
        }
        return summary
    }
}
