import ChromiumBrowser
import Environments
import Foundation
import Pipeline
import WebBrowser
import WebTasks

/// WebVoyager-style evaluation on the live web: per task a fresh Chromium context confined to the
/// task's website (its host and `www.` twin; robots.txt honoured; other hosts' images and scripts
/// allowed), the policy from the start page, then the LM judge's verdict on the final page and
/// answer, kept with its rationale as the episode's check.
public struct WebVoyagerEvaluation: Sendable {
    public var agent: PolicyAgent
    public var judge: WebVoyagerJudge
    public var maxSteps: Int
    public var politeness: OpenWebPoliteness

    public init(agent: PolicyAgent, judge: WebVoyagerJudge, maxSteps: Int = 15, politeness: OpenWebPoliteness = .init()) {
        self.agent = agent
        self.judge = judge
        self.maxSteps = maxSteps
        self.politeness = politeness
    }

    /// `browser` (tests) or a Chromium started with the crawler's User-Agent.
    public func run(_ tasks: [WebVoyagerTask], concurrency: Int = 1, journal: EvaluationJournal? = nil, progress: Bool = true,
                    browser: ChromiumBrowser? = nil, robots: RobotsPolicy? = nil) async throws -> [TaskEpisode] {
        var configuration = ChromiumBrowser.Configuration()
        configuration.extraArguments.append("--user-agent=\(politeness.userAgent)")
        let chromium: ChromiumBrowser
        if let browser { chromium = browser } else { chromium = try await ChromiumBrowser.launch(configuration) }
        defer { if browser == nil { chromium.close() } }
        let robots = robots ?? RobotsPolicy(userAgent: politeness.userAgent)
        let scheduler = EpisodeScheduler<WebVoyagerTask>(label: "webvoyager", workers: max(1, concurrency), journal: journal, progress: progress)
        let evaluation = self
        return try await scheduler.run(tasks.map { ("webvoyager/\($0.id)", $0) }) { task, worker in
            await evaluation.runTask(task, worker: worker, chromium: chromium, robots: robots)
        }
    }

    func runTask(_ task: WebVoyagerTask, worker: Int, chromium: ChromiumBrowser, robots: RobotsPolicy) async -> TaskEpisode {
        let started = Date()
        var episode = TaskEpisode(taskID: 0, site: task.webName ?? task.host ?? "?", intent: task.ques, difficulty: 0,
                                  instance: worker, steps: [], answer: nil, finalURL: task.web,
                                  result: EvaluationResult(checks: []), failure: nil, usage: .init(), seconds: 0)
        let site = OpenWebStartList.Site(startURL: task.web, host: task.host ?? "")
        let pool = OpenWebPool(startList: OpenWebStartList(sites: [site]), politeness: politeness, instances: 1,
                               browser: chromium, robots: robots)
        let environment = chromium.makeEnvironment(allowlist: await pool.allowlist(for: site))
        let start: Observation
        do {
            start = try await environment.reset(startURL: task.web)
        } catch {
            await environment.close()
            episode.result = EvaluationResult(checks: [CheckResult(kind: "setup", passed: false, reason: "\(error)")])
            episode.failure = .setup
            episode.seconds = Date().timeIntervalSince(started)
            return episode
        }
        // A start page that never loaded (refused by robots.txt, unreachable) is a setup failure, not the policy's.
        if let error = start.error, start.url.isEmpty || start.url == "about:blank" {
            await environment.close()
            episode.result = EvaluationResult(checks: [CheckResult(kind: "setup", passed: false, reason: error)])
            episode.failure = .setup
            episode.seconds = Date().timeIntervalSince(started)
            return episode
        }
        let question = task.ques
        let rollout = await PolicyRollout.run(agent: agent, environment: environment, from: start,
                                              objective: { question }, maxSteps: maxSteps)
        let judge = self.judge
        await episode.finish(rollout, in: environment) { answer in
            do {
                let verdict = try await judge.judge(task: task, finalURL: await environment.currentURL,
                                                    finalObservation: rollout.finalObservation?.text ?? "", answer: answer)
                return EvaluationResult(checks: [CheckResult(kind: "webvoyager_judge", passed: verdict.success,
                                                             reason: verdict.rationale.isEmpty ? verdict.raw : verdict.rationale)])
            } catch {
                return EvaluationResult(checks: [CheckResult(kind: "webvoyager_judge", passed: false, reason: "\(error)")])
            }
        }
        episode.seconds = Date().timeIntervalSince(started)
        return episode
    }
}
