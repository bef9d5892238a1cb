import ChromiumBrowser
import Environments
import Foundation
import Pipeline
import WebBrowser
import WebTasks

/// Runs a policy on WebArena's own tasks against a real deployment, in headless Chromium: per
/// task a fresh browser context confined to the deployment, the site map's reset hooks (when the
/// task asks for a reset, or always with `resetBeforeEveryTask`), sign-in to the task's sites
/// (a session reused through cookies), the start page, the policy, then WebArena's evaluators (with
/// the LM judge for `fuzzy_match` when given, and the shop's REST API for its helpers).
/// Prompts show WebArena's canonical URLs, as during exploration.
public struct WebArenaEvaluation: Sendable {
    public var agent: PolicyAgent
    public var siteMap: WebArenaSiteMap
    public var deployment: WebArenaDeployment
    public var evaluator: TaskEvaluator
    public var maxSteps: Int
    public var resetBeforeEveryTask: Bool

    public init(agent: PolicyAgent, siteMap: WebArenaSiteMap, deployment: WebArenaDeployment,
                evaluator: TaskEvaluator, maxSteps: Int = 30, resetBeforeEveryTask: Bool = false) {
        self.agent = agent
        self.siteMap = siteMap
        self.deployment = deployment
        self.evaluator = evaluator
        self.maxSteps = maxSteps
        self.resetBeforeEveryTask = resetBeforeEveryTask
    }

    /// `tasks` with placeholders resolved (`WebArenaTaskFile.load`). Run one at a time unless the
    /// sites are replicated: WebArena's tasks change shared state.
    public func run(_ tasks: [TaskConfig], concurrency: Int = 1, journal: EvaluationJournal? = nil,
                    progress: Bool = true, browser: ChromiumBrowser? = nil) async throws -> [TaskEpisode] {
        let chromium: ChromiumBrowser
        if let browser { chromium = browser } else { chromium = try await ChromiumBrowser.launch() }
        let source = ChromiumBrowserSource(browser: chromium)
        defer { if browser == nil { source.close() } }
        let signIn = SiteSignIn(siteMap: siteMap, deployment: deployment)
        let scheduler = EpisodeScheduler<TaskConfig>(label: "webarena", workers: max(1, concurrency), journal: journal, progress: progress)
        let evaluation = self
        return try await scheduler.run(tasks.map { (EpisodeKey.task($0), $0) }) { task, worker in
            await evaluation.runTask(task, worker: worker, browsers: source, signIn: signIn)
        }
    }

    func runTask(_ task: TaskConfig, worker: Int, browsers: ChromiumBrowserSource, signIn: SiteSignIn) async -> TaskEpisode {
        let started = Date()
        var episode = TaskEpisode(taskID: task.taskID, site: task.sites.joined(separator: "+"), intent: task.intent,
                                  difficulty: task.difficulty, instance: worker, steps: [], answer: nil,
                                  finalURL: task.startURL, result: EvaluationResult(checks: []), failure: nil,
                                  usage: .init(), seconds: 0)
        let sites = task.sites.compactMap(WebArenaSite.init(rawValue:))
        let browser: any ScriptableBrowser
        var observation: Observation
        do {
            if resetBeforeEveryTask || task.requireReset == true {
                for site in sites { try await siteMap.settings(site).reset?.run() }
            }
            browser = try await browsers.makeBrowser(allowedURLPrefixes: Array(deployment.baseURLs.values))
            do {
                observation = try await browser.reset(startURL: task.startURL)
                if task.requireLogin {
                    try await signIn.signIn(sites, browser: browser)
                    observation = try await browser.step(.goto(url: task.startURL))
                }
            } catch {
                await browser.close()
                throw error
            }
            episode.setupSeconds = Date().timeIntervalSince(started)
        } catch {
            episode.result = EvaluationResult(checks: [CheckResult(kind: "setup", passed: false, reason: "\(error)")])
            episode.failure = .setup
            episode.seconds = Date().timeIntervalSince(started)
            return episode
        }
        let intent = task.intent
        let map = SiteURLMap(entries: deployment.canonicalPairs.map { SiteURLMap.Entry(local: $0.local, canonical: $0.canonical) })
        let rollout = await PolicyRollout.run(agent: agent, environment: browser, from: observation, urlMap: map,
                                              objective: { intent }, maxSteps: maxSteps)
        await episode.finish(rollout, in: browser) { answer in
            await evaluator.evaluate(task, answer: answer, browser: browser, databases: [:])
        }
        episode.seconds = Date().timeIntervalSince(started)
        return episode
    }
}
