import Foundation
import WebBrowser

/// Stops paying for rationales a model cannot write. The embedded 135M rationalizer almost never names
/// the executed action, so each step cost `rationaleAttempts` generations and still fell back to the
/// template (issue 16 item 5). After `giveUpAfter` consecutive steps of one episode where every attempt
/// failed, the episode's remaining steps get the template without a call. A model that succeeds even
/// occasionally resets the count and keeps its attempts.
///
/// It also remembers each (instruction, step) it rationalized, so nested prefixes that share an
/// instruction and a step reuse the reasoning instead of generating it again.
public final class RationaleBudget: @unchecked Sendable {
    public let giveUpAfter: Int?
    private var consecutiveFailures = 0
    private var memo: [String: Rationalization] = [:]
    /// Steps that got the template without a model call.
    public private(set) var skipped = 0

    public init(giveUpAfter: Int?) { self.giveUpAfter = giveUpAfter }

    public var exhausted: Bool { giveUpAfter.map { consecutiveFailures >= $0 } ?? false }

    public func rationalize(with modules: NNetnavModules, instruction: String, url: String, observation: String,
                            previousActions: String, action: BrowserAction, step: Int,
                            seed: UInt64) async throws -> Rationalization {
        let key = "\(step)\u{1F}\(instruction)\u{1F}\(previousActions)\u{1F}\(action)"
        if let known = memo[key] { return known }
        var config = modules.config
        if exhausted {
            skipped += 1
            config.rationaleAttempts = 0
        }
        let active = NNetnavModules(model: modules.model, prompts: modules.prompts, config: config, record: modules.record)
        let result = try await active.rationalize(instruction: instruction, url: url, observation: observation,
                                                  previousActions: previousActions, action: action, step: step, seed: seed)
        if config.rationaleAttempts > 0 { consecutiveFailures = result.usedTemplate ? consecutiveFailures + 1 : 0 }
        memo[key] = result
        return result
    }
}
