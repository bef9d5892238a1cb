import Foundation

/// Seconds per policy step, split into where they went: the model's prefill and decode (in
/// process; a remote model's time is all "other model"), the browser, and the task's checks
/// (per episode, spread over its steps). Setup (site reset, sign-in) is per episode.
public struct StepCost: Sendable, Codable, Hashable {
    public var steps: Int
    public var prefill: Double
    public var decode: Double
    public var otherModel: Double
    public var browser: Double
    public var evaluator: Double
    public var setupPerEpisode: Double

    public var total: Double { prefill + decode + otherModel + browser + evaluator }

    /// Nil when no step was timed (results from before steps were timed).
    public init?(episodes: [TaskEpisode]) {
        let timed = episodes.flatMap(\.steps).compactMap(\.timing)
        guard !timed.isEmpty else { return nil }
        let sum = timed.reduce(StepTiming(), +)
        let n = Double(timed.count)
        steps = timed.count
        prefill = sum.prefillSeconds / n
        decode = sum.decodeSeconds / n
        otherModel = sum.modelOtherSeconds / n
        browser = sum.browserSeconds / n
        evaluator = episodes.compactMap(\.evaluatorSeconds).reduce(0, +) / n
        let setups = episodes.compactMap(\.setupSeconds)
        setupPerEpisode = setups.isEmpty ? 0 : setups.reduce(0, +) / Double(setups.count)
    }

    public var text: String {
        String(format: "seconds per step %.2f over %d steps: model prefill %.2f, decode %.2f, other model %.2f, "
               + "browser %.2f, evaluator %.2f; setup %.2f per episode",
               total, steps, prefill, decode, otherModel, browser, evaluator, setupPerEpisode)
    }
}
