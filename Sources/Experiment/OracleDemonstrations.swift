import Environments
import Evaluation
import Foundation
import Pipeline
import WebBrowser
import WebSites
import WebTasks

/// The oracle arm's data: the scripted solutions of *training-split* tasks, played by the
/// `ScriptedSolutionOracle` through the same task runner, browser and canonical URLs as an
/// evaluated policy, and turned into `Demonstration`s so that the one exporter renders their SFT
/// rows exactly as it renders a crawl's. Only solutions that pass their task's own checks count.
public enum OracleDemonstrations {
    /// Step limit of a scripted solution played through the student's prompt (scrolls included).
    public static let maxSteps = 40

    /// Plays `tasks` (placeholders unsubstituted) on `cluster` and returns the passing ones as
    /// demonstrations, with the episodes for the record.
    public static func collect(tasks: [TaskConfig], cluster: SiteCluster, instances: Int, maxSteps: Int,
                               prompt: StudentPrompt, reasoning: AnswerReasoning = .empty) async throws -> (demonstrations: [Demonstration], episodes: [TaskEpisode]) {
        var agent = PolicyAgent(model: ScriptedSolutionOracle(tasks: tasks), prompt: prompt,
                                options: .init(temperature: 0, maxTokens: prompt.maxAnswerTokens), constrainedFallback: false)
        // A solution is played as written, to its end or its failure: no early stop.
        agent.earlyStop = .never
        let runner = TaskRunner(agent: agent, cluster: cluster, maxSteps: maxSteps)
        let episodes = try await PolicyEvaluation(runner: runner, label: "oracle data", backend: .native)
            .run(tasks, instances: instances, progress: false)
        let demonstrations = episodes.enumerated().compactMap { demonstration(from: $0.element, index: $0.offset, reasoning: reasoning) }
        return (demonstrations, episodes)
    }

    /// A passing episode as a demonstration: its executed steps, each with the oracle's answer as
    /// the target (no reasoning, so `templateRationale`), and its stop as the final state.
    public static func demonstration(from episode: TaskEpisode, index: Int, reasoning: AnswerReasoning = .empty) -> Demonstration? {
        guard episode.succeeded, let last = episode.steps.last, last.action.hasPrefix("stop") else { return nil }
        let acted = episode.steps.dropLast()
        guard acted.allSatisfy({ $0.error == nil && $0.valid }) else { return nil }
        let steps = acted.map { step in
            Demonstration.Step(url: step.url, observation: step.observation, action: step.action,
                               actionDescription: step.actionDescription, stateChange: "",
                               rationale: PolicyAnswerFormat.answer(
                                   reasoning: reasoning.text(for: ActionParser.parse(action: step.action), observation: step.observation),
                                   actionText: step.action),
                               templateRationale: true)
        }
        return Demonstration(episode: index, site: episode.site, persona: "oracle: scripted solution of task \(episode.taskID)",
                             depth: steps.count, instruction: episode.intent, judgeScore: nil, steps: steps,
                             finalURL: last.url, finalObservation: last.observation, stopAction: last.action,
                             stopRaw: last.modelOutput, stopParsed: true)
    }
}
