import XCTest
@testable import LanguageModels
import TestSupport

private func request(_ text: String, temperature: Double = 0) -> ChatRequest {
    ChatRequest(messages: [.system("You label web trajectories."), .user(text)],
                options: GenerationOptions(temperature: temperature, maxTokens: 64))
}

final class ResponseCacheTests: XCTestCase {
    func testMissThenHitCallsTheModelOnce() async throws {
        let model = CannedChatModel()
        let cached = CachedChatModel(wrapping: model, cache: try ResponseCache())
        let first = try await cached.complete(request("hello"))
        let second = try await cached.complete(request("hello"))
        XCTAssertEqual(model.calls, 1)
        XCTAssertFalse(first.cached)
        XCTAssertTrue(second.cached)
        XCTAssertEqual(second.text, first.text)
        XCTAssertEqual(second.usage, first.usage)
        XCTAssertEqual(cached.identifier, model.identifier)
    }

    func testAnyChangeToTheRequestOrModelIsAMiss() async throws {
        let cache = try ResponseCache()
        let model = CannedChatModel()
        let cached = CachedChatModel(wrapping: model, cache: cache)
        _ = try await cached.complete(request("hello"))
        _ = try await cached.complete(request("hello", temperature: 0.7))
        var withChoices = request("hello")
        withChoices.choices = ["yes", "no"]
        _ = try await cached.complete(withChoices)
        _ = try await CachedChatModel(wrapping: CannedChatModel(identifier: "canned:other"), cache: cache).complete(request("hello"))
        XCTAssertEqual(model.calls, 3)
        let total = try await cache.count()
        XCTAssertEqual(total, 4)
        let summary = try await cache.summary()
        XCTAssertEqual(summary.map(\.model), ["canned:echo", "canned:other"])
        XCTAssertEqual(summary.map(\.responses), [3, 1])
        XCTAssertEqual(summary[0].usage, TokenUsage(promptTokens: 15, completionTokens: 9))
    }

    func testReplayMissFailsLoudlyNamingKeyAndPrompt() async throws {
        let cache = try ResponseCache()
        let replay = CachedChatModel(wrapping: CannedChatModel(), cache: cache, mode: .replay)
        let key = ResponseCache.key(model: "canned:echo", request: request("Summarise the episode"))
        do {
            _ = try await replay.complete(request("Summarise the episode"))
            XCTFail("replay of an unrecorded request must throw")
        } catch let error as ChatModelError {
            guard case .cacheMiss = error else { return XCTFail("got \(error)") }
            XCTAssertTrue(error.description.contains(key), error.description)
            XCTAssertTrue(error.description.contains("Summarise the episode"), error.description)
        }
    }

    func testReplayServesRecordedAnswersWithoutCallingTheModel() async throws {
        let cache = try ResponseCache()
        let recorded = try await CachedChatModel(wrapping: CannedChatModel(), cache: cache).complete(request("a"))
        let model = CannedChatModel()
        let replayed = try await CachedChatModel(wrapping: model, cache: cache, mode: .replay).complete(request("a"))
        XCTAssertEqual(model.calls, 0)
        XCTAssertEqual(replayed.text, recorded.text)
        XCTAssertTrue(replayed.cached)
    }

    func testRefreshAlwaysCallsAndOverwrites() async throws {
        let cache = try ResponseCache()
        let model = CannedChatModel()
        _ = try await CachedChatModel(wrapping: model, cache: cache).complete(request("x"))
        let refreshed = try await CachedChatModel(wrapping: model, cache: cache, mode: .refresh).complete(request("x"))
        XCTAssertEqual(refreshed.text, "x #2")
        XCTAssertFalse(refreshed.cached)
        let later = try await CachedChatModel(wrapping: model, cache: cache, mode: .replay).complete(request("x"))
        XCTAssertEqual(later.text, "x #2")
        XCTAssertEqual(model.calls, 2)
    }

    func testCacheFilePersistsAcrossOpens() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-cache-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("responses.sqlite").path
        do {
            _ = try await CachedChatModel(wrapping: CannedChatModel(), cache: try ResponseCache(path: path)).complete(request("kept"))
        }
        let reopened = try ResponseCache(path: path)
        let answer = try await CachedChatModel(wrapping: CannedChatModel(), cache: reopened, mode: .replay).complete(request("kept"))
        XCTAssertEqual(answer.text, "kept #1")
    }

    func testConcurrentIdenticalRequestsShareOneCall() async throws {
        let model = CannedChatModel(delay: 0.05)
        let cached = CachedChatModel(wrapping: model, cache: try ResponseCache())
        let texts = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try await cached.complete(request("same")).text } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        XCTAssertEqual(model.calls, 1)
        XCTAssertEqual(Set(texts), ["same #1"])
    }

    func testConcurrentDistinctRequestsAreAllStored() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-cache-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = try ResponseCache(path: folder.appendingPathComponent("responses.sqlite").path)
        let model = CannedChatModel(delay: 0.005)
        let cached = CachedChatModel(wrapping: model, cache: cache)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<40 { group.addTask { _ = try await cached.complete(request("r\(i % 20)")) } }
            try await group.waitForAll()
        }
        let stored = try await cache.count()
        XCTAssertEqual(stored, 20)
        // Each distinct request reaches the model once: later duplicates hit the cache or join the call in flight.
        XCTAssertEqual(model.calls, 20)
    }

    func testKeyIsSHA256OfSortedCanonicalJSON() throws {
        let r = request("hi")
        let json = String(decoding: ResponseCache.canonicalJSON(model: "m", request: r), as: UTF8.self)
        XCTAssertTrue(json.hasPrefix("{\"model\":\"m\",\"request\":{\"messages\":"), json)
        XCTAssertEqual(ResponseCache.key(model: "m", request: r), SHA256.hexDigest(json))
        XCTAssertEqual(ResponseCache.key(model: "m", request: r).count, 64)
    }
}
