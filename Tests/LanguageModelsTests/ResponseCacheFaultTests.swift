import TestSupport
import Foundation
import GRDB
import XCTest
@testable import LanguageModels

/// What the cache must not record, and paid answers surviving a failing cache (issue 14 item 6).
final class ResponseCacheFaultTests: XCTestCase {
    static let breakWrites = "CREATE TRIGGER fail_writes BEFORE INSERT ON responses BEGIN SELECT RAISE(ABORT, 'disk full'); END"

    private func request(_ text: String) -> ChatRequest {
        ChatRequest(messages: [.user(text)], options: GenerationOptions(temperature: 0, maxTokens: 16))
    }

    func testEmptyAndLengthCutAnswersAreNotCachedAsSuccesses() async throws {
        for bad in [ChatResponse(text: "", finishReason: "stop"), ChatResponse(text: "  \n", finishReason: "stop"),
                    ChatResponse(text: "The answer is cut off mid", finishReason: "length")] {
            let cache = try ResponseCache()
            let model = ScriptedTestDoubleModel([bad, ChatResponse(text: "A complete answer.")])
            let cached = CachedChatModel(wrapping: model, cache: cache)
            let first = try await cached.complete(request("q"))
            XCTAssertEqual(first.text, bad.text, "the caller still gets what the model said")
            let count = try await cache.count()
            XCTAssertEqual(count, 0, "\(bad) is not recorded")
            let second = try await cached.complete(request("q"))
            XCTAssertEqual(second.text, "A complete answer.", "the next call asks the model again")
            XCTAssertFalse(second.cached)
            let third = try await cached.complete(request("q"))
            XCTAssertTrue(third.cached)
            XCTAssertEqual(model.calls, 2)
        }
    }

    func testChoiceAnswersAreStillCached() async throws {
        let cache = try ResponseCache()
        let cached = CachedChatModel(wrapping: ScriptedTestDoubleModel([ChatResponse(text: "yes", finishReason: "choice")]), cache: cache)
        _ = try await cached.complete(request("q"))
        let count = try await cache.count()
        XCTAssertEqual(count, 1)
    }

    /// Another connection installs a trigger that fails every insert (as a full disk or a broken file
    /// would), while reads keep working; the paid answer is returned, kept, and written once it is removed.
    func testAPaidAnswerIsKeptWhenTheCacheWriteFailsAndWrittenLater() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-cache-fault-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("responses.sqlite").path
        let cache = try ResponseCache(path: path)
        let saboteur = try DatabaseQueue(path: path)
        try await saboteur.write { try $0.execute(sql: Self.breakWrites) }

        let model = ScriptedTestDoubleModel([ChatResponse(text: "Paid for.")])
        let cached = CachedChatModel(wrapping: model, cache: cache, writeRetryDelays: [0.01, 0.01])
        let answer = try await cached.complete(request("q"))
        XCTAssertEqual(answer.text, "Paid for.", "a failed cache write does not throw the paid answer away")
        let waiting = await cached.pendingWriteCount()
        XCTAssertEqual(waiting, 1)

        try await saboteur.write { try $0.execute(sql: "DROP TRIGGER fail_writes") }
        try await cached.flushPendingWrites()
        let left = await cached.pendingWriteCount()
        XCTAssertEqual(left, 0)
        let hit = try await cache.response(forKey: ResponseCache.key(model: model.identifier, request: request("q")))
        XCTAssertEqual(hit?.text, "Paid for.")
        XCTAssertEqual(model.calls, 1)
    }

    func testATransientWriteFailureIsRetriedWithinTheCall() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-cache-fault-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("responses.sqlite").path
        let cache = try ResponseCache(path: path)
        let saboteur = try DatabaseQueue(path: path)
        try await saboteur.write { try $0.execute(sql: Self.breakWrites) }
        let repair = Task {
            try await Task.sleep(nanoseconds: 150_000_000)
            try await saboteur.write { try $0.execute(sql: "DROP TRIGGER fail_writes") }
        }
        let cached = CachedChatModel(wrapping: ScriptedTestDoubleModel([ChatResponse(text: "Paid for.")]), cache: cache,
                                     writeRetryDelays: [0.1, 0.2, 0.4, 0.8])
        _ = try await cached.complete(request("q"))
        try await repair.value
        let waiting = await cached.pendingWriteCount()
        XCTAssertEqual(waiting, 0, "a retry within the call recorded it")
        let count = try await cache.count()
        XCTAssertEqual(count, 1)
    }
}

/// A model call in flight can be cancelled (issue 14 item 7).
final class ModelCallCancellationTests: XCTestCase {
    func testCancellingAHungRemoteCallEndsItPromptly() async throws {
        let server = try SilentServer()
        let model = try OpenAICompatibleChatModel(
            configuration: .init(baseURL: "http://127.0.0.1:\(server.port)/v1", model: "m", timeout: 120), environment: [:])
        let started = Date()
        let call = Task { try await model.complete(ChatRequest(messages: [.user("hi")])) }
        try await Task.sleep(nanoseconds: 300_000_000)
        call.cancel()
        do {
            _ = try await call.value
            XCTFail("the call cannot finish before the server answers")
        } catch {
            XCTAssertTrue(error is CancellationError, "a cancellation, not a transport failure to retry: \(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }
}
