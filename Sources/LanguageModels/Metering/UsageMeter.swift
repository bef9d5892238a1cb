import Foundation
import NNetnavSupport

/// Prices of a hosted model, in currency units (say US dollars) per million tokens.
public struct ModelPricing: Sendable, Hashable, Codable {
    public var promptPerMillion: Double
    public var completionPerMillion: Double
    public init(promptPerMillion: Double, completionPerMillion: Double) {
        self.promptPerMillion = promptPerMillion
        self.completionPerMillion = completionPerMillion
    }
    public func cost(of usage: TokenUsage) -> Double {
        (Double(usage.promptTokens) * promptPerMillion + Double(usage.completionTokens) * completionPerMillion) / 1_000_000
    }
}

/// Totals of model calls so far: what was paid for (live calls) and what the cache saved.
public struct UsageSnapshot: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Calls that returned, live or cached.
    public var calls: Int = 0
    public var cacheHits: Int = 0
    public var failures: Int = 0
    /// Tokens of live calls only.
    public var usage = TokenUsage()
    /// Tokens the cache answered without a model call.
    public var cachedUsage = TokenUsage()
    /// Summed latency of live calls, in seconds (greater than elapsed time when calls overlap).
    public var modelSeconds: Double = 0
    /// Wall-clock seconds since the meter was created.
    public var elapsedSeconds: Double = 0
    /// Estimated cost of live calls, when a price is known.
    public var estimatedCost: Double?
    /// Estimated cost the cache avoided, when a price is known.
    public var savedCost: Double?

    public var liveCalls: Int { calls - cacheHits }

    /// Compact status for a `ProgressBar`, e.g. "calls 120 (45 cached) · 1.2M tok · $0.1234".
    public var progressStatus: String {
        var parts = ["calls \(calls) (\(cacheHits) cached)", "\(Self.compact(usage.totalTokens)) tok"]
        if failures > 0 { parts.append("\(failures) failed") }
        if let estimatedCost { parts.append(String(format: "$%.4f", estimatedCost)) }
        return parts.joined(separator: " · ")
    }

    private static func compact(_ n: Int) -> String {
        switch n {
        case ..<10_000: return "\(n)"
        case ..<1_000_000: return String(format: "%.1fk", Double(n) / 1e3)
        default: return String(format: "%.1fM", Double(n) / 1e6)
        }
    }

    public var description: String {
        var parts = ["\(calls) calls (\(cacheHits) cached)"]
        if failures > 0 { parts.append("\(failures) failed") }
        parts.append("\(usage.promptTokens) prompt + \(usage.completionTokens) completion tokens")
        if liveCalls > 0 { parts.append(String(format: "%.2f s/call", modelSeconds / Double(liveCalls))) }
        if let estimatedCost { parts.append(String(format: "≈$%.4f", estimatedCost)) }
        if let savedCost, savedCost > 0 { parts.append(String(format: "cache saved ≈$%.4f", savedCost)) }
        return parts.joined(separator: ", ")
    }
}

/// Counts calls, cache hits, tokens, time and money across every model call of a run.
/// Shared by reference: wrap each model of a run in a `MeteredChatModel` pointing at one meter.
public actor UsageMeter {
    public nonisolated let pricing: ModelPricing?
    private var totals = UsageSnapshot()
    private let started = ContinuousClock.now

    public init(pricing: ModelPricing? = nil) {
        self.pricing = pricing
        if pricing != nil {
            totals.estimatedCost = 0
            totals.savedCost = 0
        }
    }

    public func record(_ response: ChatResponse, seconds: Double) {
        totals.calls += 1
        if response.cached {
            totals.cacheHits += 1
            totals.cachedUsage = totals.cachedUsage + response.usage
            if let pricing { totals.savedCost! += pricing.cost(of: response.usage) }
        } else {
            totals.usage = totals.usage + response.usage
            totals.modelSeconds += seconds
            if let pricing { totals.estimatedCost! += pricing.cost(of: response.usage) }
        }
    }

    public func recordFailure() { totals.failures += 1 }

    public func snapshot() -> UsageSnapshot {
        var copy = totals
        copy.elapsedSeconds = (ContinuousClock.now - started).seconds
        return copy
    }
}

/// A model whose every call is counted by a `UsageMeter`. Put it outermost (around a
/// `CachedChatModel`) so that cache hits are told apart from paid calls.
public struct MeteredChatModel: ChatModel {
    public let base: any ChatModel
    public let meter: UsageMeter

    public init(wrapping base: any ChatModel, meter: UsageMeter) {
        self.base = base
        self.meter = meter
    }

    public var identifier: String { base.identifier }

    public func complete(_ request: ChatRequest) async throws -> ChatResponse {
        let start = ContinuousClock.now
        do {
            let response = try await base.complete(request)
            await meter.record(response, seconds: (ContinuousClock.now - start).seconds)
            return response
        } catch {
            await meter.recordFailure()
            throw error
        }
    }
}
