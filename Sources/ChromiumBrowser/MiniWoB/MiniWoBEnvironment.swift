import Foundation
import WebBrowser

/// How a MiniWoB++ episode ended, read from the page's `core.endEpisode`.
public struct MiniWoBOutcome: Sendable, Hashable, Codable {
    public var done: Bool
    /// MiniWoB's raw reward in [-1, 1] (partial credit in some tasks).
    public var rawReward: Double
    public var reason: String?
    /// 1 for a successful episode (raw reward > 0), else 0: what NNetnav's MiniWoB eval sums.
    public var reward: Double { rawReward > 0 ? 1 : 0 }
}

/// MiniWoB++ tasks served as `file://` pages in Chromium, behind the browser environment contract.
///
/// `reset(startURL:)` takes `miniwob://<task>?seed=<n>` (or a bare task name): it loads the task
/// page, seeds its random generator, starts the episode with `core.startEpisodeReal()` without
/// MiniWoB's time limit (language models are slow), and wraps `core.endEpisode` so the final
/// page stays visible and the reward is kept. The instruction is `utterance`; each step updates
/// `outcome`.
public final class MiniWoBEnvironment: BrowserEnvironment, @unchecked Sendable {
    public let pages: MiniWoBPages
    let base: ChromiumEnvironment
    private let lock = NSLock()
    private var state = (task: "", seed: 0, utterance: "", outcome: MiniWoBOutcome(done: false, rawReward: 0, reason: nil))

    public convenience init(browser: ChromiumBrowser, pages: MiniWoBPages) {
        self.init(environment: browser.makeEnvironment(marksScriptClickables: true), pages: pages)
    }

    /// Runs MiniWoB++ episodes in an existing Chromium environment (e.g. one lent by a `ChromiumPool`).
    public init(environment: ChromiumEnvironment, pages: MiniWoBPages) {
        self.pages = pages
        base = environment
    }

    /// The task's instruction for the current episode, e.g. `Enter the username "kasie" and ...`.
    public var utterance: String { lock.withLock { state.utterance } }
    public var outcome: MiniWoBOutcome { lock.withLock { state.outcome } }
    public var reward: Double { outcome.reward }
    public var isDone: Bool { outcome.done }
    /// MiniWoB's raw reward once the episode ended, so an explorer stops on the finished page.
    public var pageTaskResult: PageTaskResult? {
        let outcome = outcome
        return outcome.done ? PageTaskResult(reward: outcome.rawReward, reason: outcome.reason) : nil
    }
    public var task: String { lock.withLock { state.task } }
    public var seed: Int { lock.withLock { state.seed } }

    /// `miniwob://login-user?seed=42` -> ("login-user", 42); a missing seed is 0.
    public static func parseStartURL(_ url: String) -> (task: String, seed: Int)? {
        var rest = url.trimmingCharacters(in: .whitespaces)
        if rest.hasPrefix("miniwob://") { rest.removeFirst("miniwob://".count) }
        var seed = 0
        if let question = rest.firstIndex(of: "?") {
            let query = rest[rest.index(after: question)...]
            rest = String(rest[..<question])
            for pair in query.split(separator: "&") where pair.hasPrefix("seed=") {
                guard let value = Int(pair.dropFirst(5)) else { return nil }
                seed = value
            }
        }
        if rest.hasSuffix("/") { rest.removeLast() }
        guard !rest.isEmpty, rest.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else { return nil }
        return (rest, seed)
    }

    public static func startURL(task: String, seed: Int) -> String { "miniwob://\(task)?seed=\(seed)" }

    public func reset(startURL: String) async throws -> Observation {
        guard let (task, seed) = Self.parseStartURL(startURL) else { throw MiniWoBError.unknownTask(startURL) }
        return try await reset(task: task, seed: seed)
    }

    public func reset(task: String, seed: Int) async throws -> Observation {
        let page = try pages.page(for: task)
        await base.restrict(to: pages.allowlist(for: task))
        let loaded = try await base.reset(startURL: page.absoluteString)
        if let error = loaded.error { throw MiniWoBError.notStarted(error) }
        let started = try await base.evaluate(Self.startScript(seed: seed))
        if let error = started["error"]?.string { throw MiniWoBError.notStarted(error) }
        // Some tasks build their page asynchronously and flag readiness in WOB_TASK_READY.
        let deadline = Date().addingTimeInterval(5)
        while try await base.evaluate("typeof WOB_TASK_READY === 'undefined' || WOB_TASK_READY").bool == false,
              Date() < deadline {
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        let utterance = try await base.evaluate("core.getUtterance()").string ?? ""
        lock.withLock {
            state = (task, seed, utterance, MiniWoBOutcome(done: false, rawReward: 0, reason: nil))
        }
        return portable(try await base.observe())
    }

    public func step(_ action: BrowserAction) async throws -> Observation {
        let observation = try await base.step(action)
        let outcome = try await base.evaluate("window.__nnetnavMiniWoB || null")
        if case .object = outcome {
            lock.withLock {
                state.outcome = MiniWoBOutcome(done: outcome["done"]?.bool ?? false,
                                               rawReward: outcome["raw"]?.double ?? 0,
                                               reason: outcome["reason"]?.string)
            }
        }
        return portable(observation)
    }

    /// The task page lives in a machine-specific cache folder: observations name it
    /// `miniwob://task?seed=n` instead, so stored trajectories and exported demonstrations carry
    /// no local path and say which episode they came from.
    func portable(_ observation: Observation) -> Observation {
        let (task, seed) = lock.withLock { (state.task, state.seed) }
        guard !task.isEmpty else { return observation }
        var observation = observation
        let localPage = pages.root.appendingPathComponent("miniwob/\(task).html").absoluteString
        let portableURL = Self.startURL(task: task, seed: seed)
        if observation.url.hasPrefix(localPage) { observation.url = portableURL }
        for i in observation.tabs.indices where observation.tabs[i].url.hasPrefix(localPage) {
            observation.tabs[i].url = portableURL
        }
        return observation
    }

    public func describe(_ action: BrowserAction) -> String { base.describe(action) }
    public func currentHTML() async -> String? { await base.currentHTML() }
    public func close() async { await base.close() }

    static func startScript(seed: Int) -> String {
        """
        (() => {
          if (typeof core === 'undefined' || typeof genProblem === 'undefined' || !Math.seedrandom)
            return { error: 'not a MiniWoB++ task page' };
          Math.seedrandom('\(seed)');
          core.EPISODE_MAX_TIME = 2000000000;
          const outcome = window.__nnetnavMiniWoB = { done: false, raw: 0, reason: null };
          const end = core.endEpisode;
          core.endEpisode = function(reward, timeProportional, reason) {
            if (outcome.done) return;
            // MiniWoB shows its START cover again after an episode: keep the final page instead.
            core.startEpisode = function() {};
            end.call(core, reward, timeProportional, reason);
            outcome.done = true;
            outcome.raw = WOB_RAW_REWARD_GLOBAL;
            outcome.reason = WOB_REWARD_REASON == null ? null : String(WOB_REWARD_REASON);  // null or undefined
          };
          core.startEpisodeReal();
          return { started: true };
        })()
        """
    }
}
