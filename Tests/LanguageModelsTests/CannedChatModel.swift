import Foundation
@testable import LanguageModels

/// Test double: a "model" that answers every request with the text of its last message and
/// the number of the call, after an optional delay, and counts its calls.
final class CannedChatModel: ChatModel, @unchecked Sendable {
    let identifier: String
    private let delay: Double
    private let lock = NSLock()
    private var _calls = 0

    init(identifier: String = "canned:echo", delay: Double = 0) {
        self.identifier = identifier
        self.delay = delay
    }

    var calls: Int { lock.withLock { _calls } }

    func complete(_ request: ChatRequest) async throws -> ChatResponse {
        let call = lock.withLock { _calls += 1; return _calls }
        if delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay * 1e9)) }
        let last = request.messages.last?.content ?? ""
        return ChatResponse(text: "\(last) #\(call)", usage: TokenUsage(promptTokens: last.count, completionTokens: 3))
    }
}

/// Test double: answers each call with the next scripted response (the last one repeats), counting calls.
final class ScriptedTestDoubleModel: ChatModel, @unchecked Sendable {
    let identifier = "scripted:test-double"
    private let script: [ChatResponse]
    private let lock = NSLock()
    private var _calls = 0

    init(_ script: [ChatResponse]) { self.script = script }

    var calls: Int { lock.withLock { _calls } }

    func complete(_ request: ChatRequest) async throws -> ChatResponse {
        let call = lock.withLock { _calls += 1; return _calls }
        return script[min(call, script.count) - 1]
    }
}
