import Foundation

/// The pipeline's language-model modules, as recorded in the crawl store.
public enum PipelineModule: String, Codable, Sendable, CaseIterable {
    case policy
    /// The constrained re-ask of the policy over the page's candidate actions.
    case policyChoice = "policy_choice"
    case stateChange = "state_change"
    case labeler
    case judge
    case rationalizer
    case stopAction = "stop_action"
    /// Contrastive instruction-trajectory scoring (Pipeline/Quality/ContrastiveConsistency).
    case consistency
}

/// One model call, as the crawl store keeps it.
public struct ModelCallRecord: Sendable, Hashable, Codable {
    public var module: PipelineModule
    /// Depth (action index) the call belongs to.
    public var step: Int
    /// The response cache's key of the call (`ResponseCache.key`: SHA-256 of the model and the
    /// request's canonical JSON), so the store's calls join the cache's entries.
    public var requestHash: String
    public var response: String
    public var promptTokens: Int
    public var completionTokens: Int
    public var latencySeconds: Double
    public var cached: Bool

    public init(module: PipelineModule, step: Int, requestHash: String, response: String, promptTokens: Int,
                completionTokens: Int, latencySeconds: Double, cached: Bool) {
        self.module = module
        self.step = step
        self.requestHash = requestHash
        self.response = response
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.latencySeconds = latencySeconds
        self.cached = cached
    }
}
