import Foundation
import WebBrowser

/// Where an explorer writes as it goes; the crawl store commits each call in its own transaction,
/// so a kill loses at most the step in flight.
public protocol EpisodeSink: Sendable {
    func record(step: ExploredStep) async throws
    func record(checkpoint: Checkpoint) async throws
}

/// Runs one NNetnav exploration episode to its end: an `ExplorationEpisode` advanced one action
/// at a time until it states why it stopped.
public struct EpisodeExplorer: Sendable {
    public let modules: NNetnavModules
    public var config: ExplorationConfig { modules.config }
    /// Photograph each step's page (nil: none). Not part of `ExplorationConfig`: pictures change
    /// nothing the method decides, so a crawl resumed with or without them is the same crawl.
    public var screenshots: StepScreenshots?

    public init(modules: NNetnavModules, screenshots: StepScreenshots? = nil) {
        self.modules = modules
        self.screenshots = screenshots
    }

    public func run(_ plan: EpisodePlan, startURL: String, environment: any BrowserEnvironment,
                    sink: any EpisodeSink) async throws -> EpisodeOutcome {
        let start = try await environment.reset(startURL: startURL)
        return try await run(plan, from: start, environment: environment, sink: sink)
    }

    /// Explores from `start`, a page already loaded in `environment` (after a sign-in, say).
    public func run(_ plan: EpisodePlan, from start: Observation, environment: any BrowserEnvironment,
                    sink: any EpisodeSink) async throws -> EpisodeOutcome {
        var episode = ExplorationEpisode(plan: plan, start: start, modules: modules, environment: environment, sink: sink)
        episode.screenshots = screenshots
        while true {
            try Task.checkCancellation()
            if case .stop(let stop) = try await episode.nextStep() {
                return try await episode.finish(stop)
            }
        }
    }
}
