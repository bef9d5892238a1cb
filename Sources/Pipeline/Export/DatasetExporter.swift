import Foundation
import LanguageModels
import NNetnavSupport

/// Writes demonstrations as per-step chat SFT rows and as trajectories, split by episode.
///
/// Observations are truncated so that system + user + assistant fit `maxSequenceTokens`
/// (estimated): the assistant target always survives, unlike NNetnav's right-truncated rows.
public struct DatasetExporter: Sendable {
    public var studentPrompt: PromptTemplate
    public var datasetName = "nnetnav-swift"
    public var maxSequenceTokens = 4096
    /// Percentage of episodes that go to validation (NNetnav v2: 10).
    public var validationPercent = 10
    public var seed: UInt64 = 0

    public init(studentPrompt: PromptTemplate) { self.studentPrompt = studentPrompt }

    public enum Split: String, Sendable, CaseIterable { case train, validation }

    /// Deterministic split by episode, so the steps of an episode never straddle train and validation.
    public func split(episode: Int) -> Split {
        TextMeasures.fnv1a("split/\(seed)/\(episode)") % 100 < UInt64(validationPercent) ? .validation : .train
    }

    /// PREVIOUS ACTIONS as NNetnav writes it: "1: None" then the descriptions of the executed actions.
    static func previousActions(_ demo: Demonstration, upTo step: Int) -> String {
        (["None"] + demo.steps.prefix(step).map(\.actionDescription)).enumerated()
            .map { "\($0.offset + 1): \($0.element)" }.joined(separator: "\n")
    }

    /// The SFT rows of one demonstration: one per executed step plus the final stop step.
    /// Returns nil for a step whose target alone exceeds the budget (reported as dropped).
    public func rows(for demo: Demonstration) -> [ChatSFTRow?] {
        (0...demo.depth).map { t in
            let isStop = t == demo.depth
            let observation = isStop ? demo.finalObservation : demo.steps[t].observation
            let url = isStop ? demo.finalURL : demo.steps[t].url
            let target = isStop ? demo.stopTarget : demo.steps[t].rationale
            var values = ["observation": "", "url": url, "objective": demo.instruction,
                          "previous_actions": Self.previousActions(demo, upTo: t)]
            let system = PromptTemplate.fill(studentPrompt.system, values)
            let fixed = TextMeasures.estimatedTokens(system) + TextMeasures.estimatedTokens(PromptTemplate.fill(studentPrompt.user, values))
                + TextMeasures.estimatedTokens(target) + 32
            let budget = maxSequenceTokens - fixed
            guard budget >= 64 else { return nil }
            values["observation"] = TextMeasures.truncate(observation, maxTokens: budget)
            return ChatSFTRow(dataset: datasetName, id: "\(demo.episode):\(demo.depth):\(t)",
                              messages: [.system(system), .user(PromptTemplate.fill(studentPrompt.user, values)),
                                         .assistant(target)])
        }
    }

    public func trajectory(_ demo: Demonstration) -> TrajectoryRow {
        TrajectoryRow(id: "\(demo.episode):\(demo.depth)", episode: demo.episode, depth: demo.depth, site: demo.site,
                      persona: demo.persona, instruction: demo.instruction, judge_score: demo.judgeScore,
                      steps: demo.steps.map {
                          .init(url: $0.url, observation: $0.observation, action: $0.action,
                                action_description: $0.actionDescription, state_change: $0.stateChange,
                                rationale: $0.rationale, locator: $0.locator)
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
        public var files: [URL] = []

        public var description: String {
            "\(demonstrations) demonstrations → SFT rows train \(rows[.train] ?? 0) / validation \(rows[.validation] ?? 0) "
                + "(\(truncatedRows) with truncated pages, \(droppedRows) dropped: target over budget); "
                + "trajectories train \(trajectories[.train] ?? 0) / validation \(trajectories[.validation] ?? 0)"
        }
    }

    /// Writes `sft_{train,validation}.jsonl` and `trajectories_{train,validation}.jsonl` into `directory`.
    public func export(_ demos: [Demonstration], to directory: URL) throws -> Summary {
        var summary = Summary()
        summary.demonstrations = demos.count
        var sft: [Split: [ChatSFTRow]] = [.train: [], .validation: []]
        var trajectories: [Split: [TrajectoryRow]] = [.train: [], .validation: []]
        for demo in demos {
            let split = split(episode: demo.episode)
            for row in rows(for: demo) {
                guard let row else { summary.droppedRows += 1; continue }
                if row.messages[1].content.contains("[... page truncated ...]") { summary.truncatedRows += 1 }
                sft[split]!.append(row)
            }
            trajectories[split]!.append(trajectory(demo))
        }
        for split in Split.allCases {
            let sftURL = directory.appendingPathComponent("sft_\(split.rawValue).jsonl")
            let trajectoryURL = directory.appendingPathComponent("trajectories_\(split.rawValue).jsonl")
            try JSONLines.write(sft[split]!, to: sftURL)
            try JSONLines.write(trajectories[split]!, to: trajectoryURL)
            summary.rows[split] = sft[split]!.count
            summary.trajectories[split] = trajectories[split]!.count
            summary.files += [sftURL, trajectoryURL]
        }
        return summary
    }
}
