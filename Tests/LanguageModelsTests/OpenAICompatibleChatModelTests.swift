import XCTest
@testable import LanguageModels

private let secret = "sk-test-DO-NOT-LEAK-0123456789"
/// Tiny waits so that retry tests stay fast.
private let quickRetry = RetryPolicy(maxAttempts: 3, initialDelay: 0.01, multiplier: 2, maxDelay: 0.05, jitter: 0)
private let question = ChatRequest(
    messages: [.system("You are a judge."), .user("Did the agent finish the task?")],
    options: GenerationOptions(temperature: 0.5, topP: 0.9, maxTokens: 32, stop: ["\n\n"], seed: 42))

final class OpenAICompatibleChatModelTests: XCTestCase {
    private func model(_ server: CannedOpenAIServer, key: String? = nil, configure: (inout OpenAICompatibleChatModel.Configuration) -> Void = { _ in },
                       onRetry: (@Sendable (OpenAICompatibleChatModel.RetryNotice) -> Void)? = nil) async throws -> OpenAICompatibleChatModel {
        var configuration = OpenAICompatibleChatModel.Configuration(
            baseURL: await server.baseURL + "/", model: "canned-model", apiKeyEnvironmentVariable: "NNETNAV_TEST_KEY",
            timeout: 5, retry: quickRetry)
        configure(&configuration)
        return try OpenAICompatibleChatModel(configuration: configuration,
                                             environment: key.map { ["NNETNAV_TEST_KEY": $0] } ?? [:], onRetry: onRetry)
    }

    func testSendsTheOpenAIRequestAndParsesTheCompletion() async throws {
        try await CannedOpenAIServer.with(script: [.completion("It did.", promptTokens: 20, completionTokens: 3, finishReason: "length")]) { server in
            let model = try await self.model(server, key: secret)
            let response = try await model.complete(question)
            XCTAssertEqual(response.text, "It did.")
            XCTAssertEqual(response.finishReason, "length")
            XCTAssertEqual(response.usage, TokenUsage(promptTokens: 20, completionTokens: 3))
            XCTAssertFalse(response.cached)
            let baseURL = await server.baseURL
            XCTAssertEqual(model.identifier, "openai-compatible:canned-model@\(baseURL)")

            let first = await server.received.first
            let sent = try XCTUnwrap(first)
            XCTAssertEqual(sent.authorization, "Bearer \(secret)")
            XCTAssertEqual(sent.json["model"] as? String, "canned-model")
            XCTAssertEqual(sent.json["temperature"] as? Double, 0.5)
            XCTAssertEqual(sent.json["top_p"] as? Double, 0.9)
            XCTAssertEqual(sent.json["max_tokens"] as? Double, 32)
            XCTAssertEqual(sent.json["seed"] as? Double, 42)
            XCTAssertEqual((sent.json["stop"] as? [any Sendable])?.first as? String, "\n\n")
            let messages = try XCTUnwrap(sent.json["messages"] as? [any Sendable])
            XCTAssertEqual(messages.count, 2)
            XCTAssertEqual((messages[1] as? [String: any Sendable])?["content"] as? String, "Did the agent finish the task?")
            XCTAssertEqual((messages[0] as? [String: any Sendable])?["role"] as? String, "system")
            XCTAssertNil(sent.json["guided_choice"])
            XCTAssertNil(sent.json["max_completion_tokens"])
        }
    }

    func testTokenLimitCanUseTheNewerParameter() async throws {
        try await CannedOpenAIServer.with(script: [.completion("ok")]) { server in
            let model = try await self.model(server) { $0.tokenLimitParameter = .maxCompletionTokens }
            _ = try await model.complete(question)
            let sent = await server.received.first
            XCTAssertEqual(sent?.json["max_completion_tokens"] as? Double, 32)
            XCTAssertNil(sent?.json["max_tokens"])
        }
    }

    func testRetriesA429HonouringRetryAfter() async throws {
        try await CannedOpenAIServer.with(script: [
            .error(status: 429, message: "Rate limit reached", headers: ["retry-after-ms": "150"]),
            .completion("ok"),
        ]) { server in
            let notices = NoticeLog()
            let model = try await self.model(server, onRetry: { notices.append($0) })
            let start = ContinuousClock.now
            let response = try await model.complete(question)
            let elapsed = ContinuousClock.now - start
            XCTAssertEqual(response.text, "ok")
            let count = await server.requestCount
            XCTAssertEqual(count, 2)
            XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(150), "waited as the server asked, not the 10 ms backoff")
            XCTAssertEqual(notices.all.map(\.delay), [0.15])
            XCTAssertTrue(notices.all.first?.description.contains("HTTP 429") ?? false)
        }
    }

    func testGivesUpOn500AfterMaxAttemptsWithExponentialBackoff() async throws {
        try await CannedOpenAIServer.with(script: [], fallback: .error(status: 503, message: "engine overloaded")) { server in
            let notices = NoticeLog()
            let model = try await self.model(server, onRetry: { notices.append($0) })
            do {
                _ = try await model.complete(question)
                XCTFail("a server that always fails must make the call fail")
            } catch let error as ChatModelError {
                guard case .http(503, let body) = error else { return XCTFail("got \(error)") }
                XCTAssertTrue(body.contains("engine overloaded"), body)
                XCTAssertTrue(error.description.contains("gave up after 3 attempts"), error.description)
            }
            let count = await server.requestCount
            XCTAssertEqual(count, 3)
            XCTAssertEqual(notices.all.map(\.delay), [0.01, 0.02])
        }
    }

    func testTimeoutIsRetried() async throws {
        try await CannedOpenAIServer.with(script: [.slow(seconds: 1.5, then: .completion("late")), .completion("on time")]) { server in
            let model = try await self.model(server) { $0.timeout = 0.4 }
            let response = try await model.complete(question)
            XCTAssertEqual(response.text, "on time")
            let count = await server.requestCount
            XCTAssertEqual(count, 2)
        }
    }

    func testTimeoutsExhaustedGiveAClearError() async throws {
        try await CannedOpenAIServer.with(script: [], fallback: .slow(seconds: 0.5, then: .completion("late"))) { server in
            let model = try await self.model(server) {
                $0.timeout = 0.1
                $0.retry = RetryPolicy(maxAttempts: 2, initialDelay: 0.01, jitter: 0)
            }
            do {
                _ = try await model.complete(question)
                XCTFail("expected a timeout")
            } catch let error as ChatModelError {
                guard case .transport(let message) = error else { return XCTFail("got \(error)") }
                XCTAssertTrue(message.contains("timed out"), message)
                XCTAssertTrue(message.contains("gave up after 2 attempts"), message)
            }
        }
    }

    func testMalformedJSONFailsAtOnceAndSaysWhatCameBack() async throws {
        try await CannedOpenAIServer.with(script: [.raw("{\"choices\": [oops")]) { server in
            let model = try await self.model(server)
            do {
                _ = try await model.complete(question)
                XCTFail("expected an invalid response error")
            } catch let error as ChatModelError {
                guard case .invalidResponse(let message) = error else { return XCTFail("got \(error)") }
                XCTAssertTrue(message.contains("did not return a chat completion"), message)
                XCTAssertTrue(message.contains("oops"), message)
            }
            let count = await server.requestCount
            XCTAssertEqual(count, 1)
        }
    }

    func testUnauthorizedFailsAtOnceAndNeverShowsTheKey() async throws {
        try await CannedOpenAIServer.with(script: [.echoAuthorization]) { server in
            let model = try await self.model(server, key: secret)
            do {
                _ = try await model.complete(question)
                XCTFail("expected HTTP 401")
            } catch let error as ChatModelError {
                guard case .http(401, let body) = error else { return XCTFail("got \(error)") }
                XCTAssertTrue(body.contains("Incorrect API key provided"), body)
                XCTAssertFalse(error.description.contains(secret), error.description)
                XCTAssertFalse("\(error)".contains(secret))
            }
            let count = await server.requestCount
            XCTAssertEqual(count, 1, "a 401 is not retried")
            var dumped = ""
            dump(model, to: &dumped)
            XCTAssertFalse(dumped.contains(secret), dumped)
            XCTAssertFalse(model.identifier.contains(secret))
        }
    }

    func testUnauthorizedWithoutAKeyNamesTheVariable() async throws {
        try await CannedOpenAIServer.with(script: [.error(status: 401, message: "You didn't provide an API key.")]) { server in
            let model = try await self.model(server, key: nil)
            do {
                _ = try await model.complete(question)
                XCTFail("expected HTTP 401")
            } catch let error as ChatModelError {
                XCTAssertTrue(error.description.contains("NNETNAV_TEST_KEY is not set"), error.description)
            }
            let sent = await server.received.first
            XCTAssertNil(sent?.authorization)
        }
    }

    func testHostedAPIWithoutAKeyFailsBeforeAnyRequest() {
        let configuration = OpenAICompatibleChatModel.Configuration(
            baseURL: "https://api.openai.com/v1", model: "gpt-4o-mini", apiKeyEnvironmentVariable: "NNETNAV_TEST_KEY", requiresAPIKey: true)
        XCTAssertThrowsError(try OpenAICompatibleChatModel(configuration: configuration, environment: [:])) { error in
            XCTAssertTrue("\(error)".contains("set the environment variable NNETNAV_TEST_KEY"), "\(error)")
        }
    }

    func testConnectionRefusedIsRetriedThenClear() async throws {
        let configuration = OpenAICompatibleChatModel.Configuration(
            baseURL: "http://127.0.0.1:9/v1", model: "m", retry: RetryPolicy(maxAttempts: 2, initialDelay: 0.01, jitter: 0))
        let model = try OpenAICompatibleChatModel(configuration: configuration, environment: [:])
        do {
            _ = try await model.complete(question)
            XCTFail("expected a connection error")
        } catch let error as ChatModelError {
            guard case .transport(let message) = error else { return XCTFail("got \(error)") }
            XCTAssertTrue(message.contains("could not connect"), message)
            XCTAssertTrue(message.contains("gave up after 2 attempts"), message)
        }
    }

    func testConcurrencyLimitIsRespected() async throws {
        try await CannedOpenAIServer.with(script: [], fallback: .slow(seconds: 0.1, then: .completion("done"))) { server in
            let model = try await self.model(server) { $0.maxConcurrentRequests = 2 }
            let texts = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<6 { group.addTask { try await model.complete(question).text } }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            XCTAssertEqual(texts, Array(repeating: "done", count: 6))
            let seen = await (server.requestCount, server.maxInFlight)
            XCTAssertEqual(seen.0, 6)
            XCTAssertEqual(seen.1, 2, "the server saw exactly the allowed overlap")
            // Three rounds of two overlapping 0.1 s requests; a stalled thread pool would add about a second.
            let arrivals = await server.received.map(\.at)
            XCTAssertLessThan(arrivals.last! - arrivals.first!, .milliseconds(600))
        }
    }

    func testGuidedChoiceIsSentToVLLM() async throws {
        try await CannedOpenAIServer.with(script: [.completion("yes")]) { server in
            let model = try await self.model(server) { $0.guidedChoice = true }
            var request = question
            request.choices = ["yes", "no"]
            let response = try await model.complete(request)
            XCTAssertEqual(response.text, "yes")
            XCTAssertEqual(response.finishReason, "choice")
            let sent = await server.received.first
            XCTAssertEqual((sent?.json["guided_choice"] as? [any Sendable])?.compactMap { $0 as? String }, ["yes", "no"])
        }
    }

    func testFreeTextIsMappedToAChoiceOrFailsClearly() async throws {
        try await CannedOpenAIServer.with(script: [.completion("No. The agent stopped early."), .completion("Maybe later")]) { server in
            let model = try await self.model(server)
            var request = question
            request.choices = ["yes", "no"]
            let mapped = try await model.complete(request)
            XCTAssertEqual(mapped.text, "no")
            do {
                _ = try await model.complete(request)
                XCTFail("an answer naming no choice must fail")
            } catch let error as ChatModelError {
                XCTAssertTrue(error.description.contains("Maybe later"), error.description)
                XCTAssertTrue(error.description.contains("\"yes\", \"no\""), error.description)
            }
        }
    }

    func testMeterCountsLiveCallsCacheHitsAndCost() async throws {
        try await CannedOpenAIServer.with(script: [.completion("a", promptTokens: 1000, completionTokens: 500)]) { server in
            let meter = UsageMeter(pricing: ModelPricing(promptPerMillion: 1, completionPerMillion: 4))
            let model = MeteredChatModel(
                wrapping: CachedChatModel(wrapping: try await self.model(server), cache: try ResponseCache()), meter: meter)
            _ = try await model.complete(question)
            _ = try await model.complete(question)
            var other = question
            other.messages.append(.user("and now?"))
            _ = try? await model.complete(other)  // the script is exhausted: HTTP 500s, then failure
            let usage = await meter.snapshot()
            XCTAssertEqual(usage.calls, 2)
            XCTAssertEqual(usage.cacheHits, 1)
            XCTAssertEqual(usage.failures, 1)
            XCTAssertEqual(usage.usage, TokenUsage(promptTokens: 1000, completionTokens: 500))
            XCTAssertEqual(usage.cachedUsage, TokenUsage(promptTokens: 1000, completionTokens: 500))
            XCTAssertEqual(usage.estimatedCost ?? 0, 0.003, accuracy: 1e-12)
            XCTAssertEqual(usage.savedCost ?? 0, 0.003, accuracy: 1e-12)
            XCTAssertTrue(usage.description.contains("2 calls (1 cached)"), usage.description)
            XCTAssertEqual(usage.progressStatus, "calls 2 (1 cached) · 1500 tok · 1 failed · $0.0030")
        }
    }

    func testTheKeyNeverReachesTheCacheFile() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-key-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await CannedOpenAIServer.with(script: [.completion("fine")]) { server in
            let cache = try ResponseCache(path: folder.appendingPathComponent("responses.sqlite").path)
            _ = try await CachedChatModel(wrapping: try await self.model(server, key: secret), cache: cache).complete(question)
            let stored = try await cache.count()
            XCTAssertEqual(stored, 1)
        }
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let bytes = try Data(contentsOf: folder.appendingPathComponent(file))
            XCTAssertNil(bytes.range(of: Data(secret.utf8)), "\(file) holds the API key")
        }
    }
}

/// Collects retry notices from the model's callback.
final class NoticeLog: @unchecked Sendable {
    private let lock = NSLock()
    private var notices: [OpenAICompatibleChatModel.RetryNotice] = []
    func append(_ notice: OpenAICompatibleChatModel.RetryNotice) { lock.withLock { notices.append(notice) } }
    var all: [OpenAICompatibleChatModel.RetryNotice] { lock.withLock { notices } }
}
