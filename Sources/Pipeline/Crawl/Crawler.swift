import Foundation
import LanguageModels
import NNetnavSupport
import WebBrowser

/// Runs a crawl: episodes in parallel over the pool's instances, everything written to the store,
/// completed episodes skipped on resume.
public struct Crawler: Sendable {
    public var model: any ChatModel
    public var prompts: PromptLibrary
    public var config: ExplorationConfig
    /// Where episodes come from and go: the SQLite store, or a shared one (PostgresStore).
    public var backend: any CrawlBackend
    public var environments: any EnvironmentPool
    public var sites: [String]
    public var episodes: Int
    public var shard: Shard
    /// The crawl stops after this many episodes fail in a row (a dead model server fails them all).
    public var maxConsecutiveFailures = 3
    /// Photograph each step's page when the backend renders (Chromium); nil: no screenshots.
    public var screenshots: StepScreenshots? = nil

    public init(model: any ChatModel, prompts: PromptLibrary, config: ExplorationConfig, store: CrawlStore,
                environments: any EnvironmentPool, sites: [String], episodes: Int, shard: Shard = .all) {
        self.init(model: model, prompts: prompts, config: config, backend: SQLiteCrawlBackend(store: store),
                  environments: environments, sites: sites, episodes: episodes, shard: shard)
    }

    public init(model: any ChatModel, prompts: PromptLibrary, config: ExplorationConfig, backend: any CrawlBackend,
                environments: any EnvironmentPool, sites: [String], episodes: Int, shard: Shard = .all) {
        self.model = model
        self.prompts = prompts
        self.config = config
        self.backend = backend
        self.environments = environments
        self.sites = sites
        self.episodes = episodes
        self.shard = shard
    }

    /// Episode `i` explores `sites[i % sites.count]` as a persona drawn from (seed, i).
    public func plans() throws -> [EpisodePlan] {
        guard !sites.isEmpty else { throw CrawlError.noSites }
        return try (0..<episodes).filter(shard.owns).map { index in
            let site = sites[index % sites.count]
            let personas = try prompts.personas(for: site)
            let pick = Int(TextMeasures.fnv1a("\(config.seed)/persona/\(index)") % UInt64(personas.count))
            return EpisodePlan(index: index, site: site, persona: personas[pick])
        }
    }

    public struct Summary: Sendable, CustomStringConvertible {
        public var planned = 0
        public var alreadyDone = 0
        public var completed = 0
        public var failed = 0
        public var pruned = 0
        public var demonstrations = 0
        public var actions = 0
        public var calls = 0
        public var cachedCalls = 0
        public var tokens = 0
        public var seconds = 0.0
        public var errors: [String] = []

        public var description: String {
            var text = "\(completed) episodes explored (\(alreadyDone) already done, \(failed) failed) of \(planned) planned; "
                + "\(actions) actions, \(pruned) pruned, \(demonstrations) demonstrations; "
                + "\(calls) model calls (\(cachedCalls) cached), \(tokens) tokens; "
                + String(format: "%.1f s, %.3f episodes/s", seconds, seconds > 0 ? Double(completed) / seconds : 0)
            if let last = errors.last { text += "\nlast error: \(last)" }
            return text
        }
    }

    /// Crawls; `status` supplies extra progress text (the CLI's usage meter with cost).
    public func run(progress: ProgressBar? = nil,
                    status: (@Sendable () async -> String)? = nil) async throws -> Summary {
        let all = try plans()
        let beginning = try await backend.begin(model: model.identifier, sites: sites, episodes: episodes,
                                                config: config, plans: all)
        do {
            let summary = try await crawl(all, beginning, progress: progress, status: status)
            await backend.end()
            return summary
        } catch {
            await backend.end()
            throw error
        }
    }

    private func crawl(_ all: [EpisodePlan], _ beginning: CrawlBeginning, progress: ProgressBar?,
                       status: (@Sendable () async -> String)?) async throws -> Summary {
        let backend = self.backend
        let registry = InstructionRegistry(existing: beginning.keptInstructions,
                                           nearDuplicateJaccard: config.nearDuplicateJaccard)
        let tally = CrawlTally()
        await tally.start(planned: all.count, alreadyDone: beginning.alreadyDone)
        progress?.setTotal(beginning.remaining)
        let started = ContinuousClock.now

        let workers = min(environments.instanceCount, max(beginning.remaining, 1))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for instance in 0..<workers {
                group.addTask {
                    while let claim = try await backend.claimEpisode() {
                        let plan = claim.plan
                        if Task.isCancelled {
                            await claim.abandon()
                            throw CancellationError()
                        }
                        do {
                            let result = try await runEpisode(claim, instance: instance, registry: registry, tally: tally)
                            await tally.finished(result)
                        } catch is CancellationError {
                            await claim.abandon()
                            throw CancellationError()
                        } catch {
                            if Task.isCancelled {
                                await claim.abandon()
                                throw CancellationError()
                            }
                            await claim.fail(error: "\(error)")
                            let consecutive = await tally.failed("episode \(plan.index): \(error)")
                            if consecutive >= maxConsecutiveFailures {
                                throw CrawlError.tooManyFailures(count: consecutive, last: "\(error)")
                            }
                        }
                        if let status {
                            let line = await tally.episodeStatus()
                            progress?.advance(status: line + " · " + (await status()))
                        } else {
                            progress?.advance(status: await tally.progressStatus())
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        progress?.finish()
        var summary = await tally.summary
        let elapsed = started.duration(to: .now)
        summary.seconds = elapsed.seconds
        return summary
    }

    struct EpisodeResult: Sendable {
        var outcome: EpisodeOutcome
        var demonstrations: Int
    }

    func runEpisode(_ claim: any EpisodeClaim, instance: Int, registry: InstructionRegistry,
                    tally: CrawlTally) async throws -> EpisodeResult {
        let plan = claim.plan
        try await environments.resetSite(plan.site, instance: instance)
        let map = try await environments.urlMap(instance: instance)
        // The explorer, the store and every prompt see canonical URLs only.
        let environment = CanonicalURLEnvironment(wrapping: try await environments.environment(instance: instance), map: map)
        let startURL = map.canonical(try await environments.startURL(site: plan.site, instance: instance, episode: plan.index))
        var start = try await environment.reset(startURL: startURL)
        let account = try await environments.signIn(site: plan.site, instance: instance, persona: plan.persona)
        if account != nil { start = try await environment.step(.goto(url: startURL)) }
        try await claim.start(startURL: startURL, account: account, shard: shard.description, instance: instance)
        let modules = NNetnavModules(model: model, prompts: prompts, config: config) { call in
            try await claim.record(call: call)
            await tally.called(call)
        }
        let outcome = try await EpisodeExplorer(modules: modules, screenshots: screenshots)
            .run(plan, from: start, environment: environment, sink: claim)
        let built = try await DemonstrationBuilder(modules: modules, registry: registry).build(plan: plan, outcome: outcome)
        let kept: Int
        do {
            kept = try await claim.finish(outcome: outcome, demonstrations: built.demos, skipped: built.skipped)
        } catch {
            for demo in built.demos { await registry.release(demo.instruction) }
            throw error
        }
        return EpisodeResult(outcome: outcome, demonstrations: kept)
    }
}

/// Running totals for the progress line and the final summary.
actor CrawlTally {
    private(set) var summary = Crawler.Summary()
    private var consecutiveFailures = 0

    func start(planned: Int, alreadyDone: Int) {
        summary.planned = planned
        summary.alreadyDone = alreadyDone
    }

    func called(_ call: ModelCallRecord) {
        summary.calls += 1
        if call.cached { summary.cachedCalls += 1 }
        summary.tokens += call.promptTokens + call.completionTokens
    }

    func finished(_ result: Crawler.EpisodeResult) {
        consecutiveFailures = 0
        summary.completed += 1
        summary.actions += result.outcome.steps.count - 1
        if result.outcome.stopReason == .pruned { summary.pruned += 1 }
        summary.demonstrations += result.demonstrations
    }

    func failed(_ message: String) -> Int {
        consecutiveFailures += 1
        summary.failed += 1
        summary.errors.append(message)
        return consecutiveFailures
    }

    func episodeStatus() -> String {
        "demos \(summary.demonstrations) · pruned \(summary.pruned)" + (summary.failed > 0 ? " · failed \(summary.failed)" : "")
    }

    func progressStatus() -> String {
        "demos \(summary.demonstrations) · calls \(summary.calls) (\(summary.cachedCalls) cached) · \(summary.tokens) tok"
    }
}
