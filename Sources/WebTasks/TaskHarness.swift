import GRDB
import WebBrowser
import WebSites

/// Runs tasks against one instance of a running cluster: pristine state, a fresh browser (from
/// `browsers`, the backend) signed in as the task's account on the start page, and evaluation
/// against that instance.
///
/// ```swift
/// let harness = TaskHarness(cluster: cluster, instance: 2)
/// let tasks = try await harness.tasks(for: .shop)
/// let (browser, observation) = try await harness.prepare(tasks[0])
/// ... the agent acts on `browser` from `observation` and stops with `answer` ...
/// let result = await harness.evaluate(tasks[0], answer: answer, browser: browser)
/// await browser.close()
/// ```
public struct TaskHarness: Sendable {
    public let cluster: SiteCluster
    public let instance: Int
    public var evaluator: TaskEvaluator
    public var browsers: any TaskBrowserSource

    public init(cluster: SiteCluster, instance: Int = 0, evaluator: TaskEvaluator = TaskEvaluator(),
                browsers: any TaskBrowserSource = NativeBrowserSource()) {
        self.cluster = cluster
        self.instance = instance
        self.evaluator = evaluator
        self.browsers = browsers
    }

    /// The site's task set with this instance's URLs substituted.
    public func tasks(for site: SiteName) async throws -> [TaskConfig] {
        let seed = cluster.seed
        guard seed == TaskSet.seed else { throw TaskSetError.seedMismatch(site, seed: seed) }
        return try TaskSet.load(site: site, baseURLs: await cluster.baseURLs(instance: instance)).tasks
    }

    /// Resets the task's sites, opens a fresh browser, signs in when the task says so, and goes
    /// to the start URL. The caller closes the browser when done with it.
    public func prepare(_ task: TaskConfig) async throws -> (browser: any ScriptableBrowser, observation: Observation) {
        for name in task.sites.compactMap(SiteName.init(rawValue:)) {
            try await cluster.reset(name, instance: instance)
        }
        let baseURLs = await cluster.baseURLs(instance: instance)
        let browser = try await browsers.makeBrowser(allowedURLPrefixes: Array(baseURLs.values))
        do {
            var observation = try await browser.reset(startURL: task.startURL)
            if let account = task.login {
                try await SiteAccounts.signIn(account, site: task.sites.first.flatMap(SiteName.init(rawValue:)),
                                              browser: browser, baseURLs: baseURLs)
                observation = try await browser.step(.goto(url: task.startURL))
            }
            return (browser, observation)
        } catch {
            await browser.close()
            throw error
        }
    }

    public func evaluate(_ task: TaskConfig, answer: String, browser: some ScriptableBrowser) async -> EvaluationResult {
        await evaluator.evaluate(task, answer: answer, browser: browser, databases: await cluster.databases(instance: instance))
    }
}
