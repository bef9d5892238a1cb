import Foundation

/// How a task that the page itself runs and scores ended (MiniWoB++ pages end their episode and
/// compute a reward in JavaScript). Bundled and real sites have no such task.
public struct PageTaskResult: Sendable, Hashable, Codable {
    /// The task's own reward (MiniWoB++: raw reward in [-1, 1], above 0 for success).
    public var reward: Double
    /// The task's explanation of the reward, when it gives one.
    public var reason: String?

    public init(reward: Double, reason: String? = nil) {
        self.reward = reward
        self.reason = reason
    }
}

extension BrowserEnvironment {
    /// Pages without a task of their own never end an episode by themselves.
    public var pageTaskResult: PageTaskResult? { nil }
}
