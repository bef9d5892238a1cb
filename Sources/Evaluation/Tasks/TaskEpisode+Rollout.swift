import Foundation
import WebTasks

extension TaskEpisode {
    /// Takes in what a rollout did in `browser`, then scores the final state with `evaluate`
    /// unless the rollout itself failed; closes the browser and names the failure's cause. The one
    /// ending shared by bundled-site, WebArena and WebVoyager tasks.
    mutating func finish(_ rollout: PolicyRollout, in browser: any ScriptableBrowser,
                         evaluate: (String) async -> EvaluationResult) async {
        steps = rollout.steps
        answer = rollout.answer
        usage = rollout.usage
        earlyStop = rollout.earlyStop
        finalURL = await browser.currentURL
        if let error = rollout.error {
            result = EvaluationResult(checks: [CheckResult(kind: "run", passed: false, reason: error)])
        } else {
            let checking = Date()
            result = await evaluate(rollout.answer ?? "")
            evaluatorSeconds = Date().timeIntervalSince(checking)
        }
        interrupted = rollout.cancelled
        await browser.close()
        if !result.passed { failure = rollout.failure }
    }
}
