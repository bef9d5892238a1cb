import Foundation
import LanguageModels
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
