import Foundation
import LanguageModels
import PostgresStore
import TestSupport
import XCTest

/// The response cache in PostgreSQL: what one worker paid for, another replays.
final class PostgresResponseCacheTests: XCTestCase {
    func testAnAnswerRecordedByOneWorkerIsReplayedByAnother() async throws {
        let url = try await TestDatabase.fresh()
        let first = try await PostgresResponseCache.open(url)
        let second = try await PostgresResponseCache.open(url)
        defer { first.session.close(); second.session.close() }
        let model = CannedChatModel(identifier: "canned:echo")
        let request = ChatRequest(messages: [.user("hello")], options: GenerationOptions(temperature: 1, seed: 3))

        let paid = try await CachedChatModel(wrapping: model, cache: first).complete(request)
        XCTAssertFalse(paid.cached)
        let replayed = try await CachedChatModel(wrapping: model, cache: second, mode: .replay).complete(request)
        XCTAssertTrue(replayed.cached)
        XCTAssertEqual(replayed.text, paid.text)
        XCTAssertEqual(model.totalCalls, 1, "the second worker did not call the model")
        let count = try await second.count()
        XCTAssertEqual(count, 1)

        // The key is the SQLite cache's: the same request recorded there has the same key.
        let key = ResponseCache.key(model: model.identifier, request: request)
        let hit = try await second.response(forKey: key)
        XCTAssertEqual(hit?.text, paid.text)
        do {
            _ = try await CachedChatModel(wrapping: model, cache: second, mode: .replay)
                .complete(ChatRequest(messages: [.user("never asked")]))
            XCTFail("replay answered a request nobody made")
        } catch ChatModelError.cacheMiss {}
    }
}
