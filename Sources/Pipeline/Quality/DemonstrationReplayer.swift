import Foundation
import WebBrowser

/// Re-executes stored demonstrations on a freshly reset site, finding each action's target by its
/// `StepLocator` rather than by the recorded element id, and checks that the demonstration ends on the
/// same page in the same state.
public struct DemonstrationReplayer: Sendable {
    /// What to replay: a demonstration's site, executed steps and final state.
    public struct Item: Sendable, Hashable {
        public var episode: Int
        public var depth: Int
        public var site: String
        public var steps: [(url: String, action: String, locator: StepLocator?)]
        public var finalURL: String
        public var finalObservation: String

        public init(episode: Int, depth: Int, site: String, steps: [(url: String, action: String, locator: StepLocator?)],
                    finalURL: String, finalObservation: String) {
            self.episode = episode
            self.depth = depth
            self.site = site
            self.steps = steps
            self.finalURL = finalURL
            self.finalObservation = finalObservation
        }

        public init(_ demo: Demonstration) {
            self.init(episode: demo.episode, depth: demo.depth, site: demo.site,
                      steps: demo.steps.map { ($0.url, $0.action, $0.locator) },
                      finalURL: demo.finalURL, finalObservation: demo.finalObservation)
        }

        public init(_ row: TrajectoryRow) {
            self.init(episode: row.episode, depth: row.depth, site: row.site,
                      steps: row.steps.map { ($0.url, $0.action, $0.locator) },
                      finalURL: row.final_url, finalObservation: row.final_observation)
        }

        public static func == (a: Item, b: Item) -> Bool { a.episode == b.episode && a.depth == b.depth && a.site == b.site }
        public func hash(into h: inout Hasher) { h.combine(episode); h.combine(depth); h.combine(site) }
    }

    public struct Result: Sendable, Hashable, Codable {
        public var episode: Int
        public var depth: Int
        public var site: String
        /// Steps whose target the locator found on the replayed page (steps without a target count as found).
        public var stepsResolved: Int
        public var steps: Int
        /// Same final URL (path and query; hosts and ports differ between runs).
        public var sameURL: Bool
        /// Same final page: the observation text equal once element ids are removed.
        public var sameState: Bool
        public var detail: String
        public var replayed: Bool { sameURL && sameState }
    }

    public let environments: any EnvironmentPool
    public var instance = 0

    public init(environments: any EnvironmentPool, instance: Int = 0) {
        self.environments = environments
        self.instance = instance
    }

    public func replay(_ item: Item) async throws -> Result {
        var result = Result(episode: item.episode, depth: item.depth, site: item.site, stepsResolved: 0,
                            steps: item.steps.count, sameURL: false, sameState: false, detail: "")
        try await environments.resetSite(item.site, instance: instance)
        let environment = try await environments.environment(instance: instance)
        let origin = Self.origin(of: try await environments.startURL(site: item.site, instance: instance, episode: item.episode))
        let start = Self.rebase(item.steps.first?.url ?? item.finalURL, onto: origin)
        var observation = try await environment.reset(startURL: start)
        var problems: [String] = []
        for (index, step) in item.steps.enumerated() {
            var action = ActionParser.parse(action: step.action)
            if case .goto(let url) = action { action = .goto(url: Self.rebase(url, onto: origin)) }
            if StepLocator.targetID(of: action) != nil {
                if let locator = step.locator, let id = locator.resolve(in: observation.text) {
                    action = StepLocator.retarget(action, to: id)
                    result.stepsResolved += 1
                } else {
                    problems.append("step \(index): " + (step.locator == nil ? "no locator stored" : "target \(step.locator!.role) '\(step.locator!.name)' not found"))
                }
            } else {
                result.stepsResolved += 1
            }
            observation = try await environment.step(action)
            if let error = observation.error { problems.append("step \(index): \(error)") }
        }
        result.sameURL = Self.pathAndQuery(observation.url) == Self.pathAndQuery(item.finalURL)
        result.sameState = Self.stateKey(observation.text) == Self.stateKey(item.finalObservation)
        if !result.sameURL { problems.append("ended on \(Self.pathAndQuery(observation.url)), expected \(Self.pathAndQuery(item.finalURL))") }
        else if !result.sameState { problems.append("same URL, different page content") }
        result.detail = problems.joined(separator: "; ")
        return result
    }

    /// Replays every item; the share with `replayed` is the replay rate.
    public func replay(_ items: [Item], progress: ((Result) -> Void)? = nil) async throws -> [Result] {
        var results: [Result] = []
        for item in items {
            try Task.checkCancellation()
            let result = try await replay(item)
            progress?(result)
            results.append(result)
        }
        return results
    }

    // MARK: Comparisons

    /// `scheme://host:port` of a URL ("" when it has none).
    static func origin(of url: String) -> String {
        guard let c = URLComponents(string: url), let scheme = c.scheme, let host = c.host else { return "" }
        return "\(scheme)://\(host)" + (c.port.map { ":\($0)" } ?? "")
    }

    /// `url` with its origin replaced (a stored loopback port is gone after a restart).
    static func rebase(_ url: String, onto origin: String) -> String {
        guard !origin.isEmpty else { return url }
        return origin + pathAndQuery(url)
    }

    static func pathAndQuery(_ url: String) -> String {
        guard let c = URLComponents(string: url) else { return url }
        let path = c.percentEncodedPath.isEmpty ? "/" : c.percentEncodedPath
        return path + (c.percentEncodedQuery.map { "?\($0)" } ?? "")
    }

    /// Observation text without `[id]` markers and trailing spaces: ids drift between renderings of one state.
    static func stateKey(_ text: String) -> String {
        text.replacingOccurrences(of: #"\[\d+\] "#, with: "", options: .regularExpression)
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n")
    }
}

extension CrawlStore {
    /// Records replay results (the latest per demonstration), read by the quality report.
    public func record(replays: [DemonstrationReplayer.Result]) async throws {
        try await database.write { db in
            for r in replays {
                try db.execute(sql: """
                    INSERT OR REPLACE INTO replays (episode, depth, site, steps_resolved, steps, same_url, same_state, detail,
                        replayed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [r.episode, r.depth, r.site, r.stepsResolved, r.steps, r.sameURL, r.sameState, r.detail,
                                     Self.now()])
            }
        }
    }
}
