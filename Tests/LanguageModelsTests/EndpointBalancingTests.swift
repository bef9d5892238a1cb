import Foundation
import LanguageModels
import XCTest

/// `--model vllm:M@http://a/v1,http://b/v1`: one model on several endpoints, against loopback
/// stand-in servers (`CannedOpenAIServer`, a test double) and a port where nothing listens.
final class EndpointBalancingTests: XCTestCase {
    /// Loopback port 1, where nothing listens: connecting is refused at once.
    static func deadEndpoint() -> String { "http://127.0.0.1:1/v1" }

    func testParsesSeveralEndpointsAndPrintsThemBack() throws {
        let spec = try ChatModelSpec(parsing: "vllm:Qwen/Qwen2.5-7B@http://a:8000/v1,http://b:8000/v1/")
        guard case .remote(let remote) = spec else { return XCTFail("not remote") }
        XCTAssertEqual(remote.baseURLs, ["http://a:8000/v1", "http://b:8000/v1"])
        XCTAssertEqual(spec.description, "vllm:Qwen/Qwen2.5-7B@http://a:8000/v1,http://b:8000/v1")
        XCTAssertThrowsError(try ChatModelSpec(parsing: "vllm:m@http://a/v1,ftp://b"))
    }

    func testADeadEndpointIsSkippedAndEveryRequestIsAnswered() async throws {
        try await CannedOpenAIServer.with(script: [], fallback: .completion("alive")) { live in
            let spec = try ChatModelSpec(parsing: "vllm:m@\(Self.deadEndpoint()),\(await live.baseURL)")
            guard case .remote(var remote) = spec else { return XCTFail("not remote") }
            remote.server = .generic
            let model = try XCTUnwrap(try remote.makeAnyModel(retry: .never) as? EndpointBalancedChatModel)
            let answers = try await withThrowingTaskGroup(of: String.self) { group in
                for i in 0..<12 { group.addTask { try await model.complete(ChatRequest(messages: [.user("q\(i)")])).text } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            XCTAssertEqual(answers, Array(repeating: "alive", count: 12))
            XCTAssertEqual(model.answeredCounts, [0, 12])
            let received = await live.requestCount
            XCTAssertEqual(received, 12)
        }
    }

    func testRequestsSpreadByInFlightCount() async throws {
        let slow = CannedOpenAIServer.Reply.slow(seconds: 0.3, then: .completion("ok"))
        try await CannedOpenAIServer.with(script: [], fallback: slow) { a in
            try await CannedOpenAIServer.with(script: [], fallback: slow) { b in
                let spec = try ChatModelSpec(parsing: "vllm:m@\(await a.baseURL),\(await b.baseURL)")
                guard case .remote(let remote) = spec else { return XCTFail("not remote") }
                let model = try XCTUnwrap(try remote.makeAnyModel(maxConcurrentRequests: 8, retry: .never)
                                          as? EndpointBalancedChatModel)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for i in 0..<8 { group.addTask { _ = try await model.complete(ChatRequest(messages: [.user("q\(i)")])) } }
                    try await group.waitForAll()
                }
                XCTAssertEqual(model.answeredCounts, [4, 4], "8 concurrent requests on two equal endpoints")
                let maxA = await a.maxInFlight, maxB = await b.maxInFlight
                XCTAssertEqual(maxA, 4)
                XCTAssertEqual(maxB, 4)
            }
        }
    }

    func testAClientErrorIsTheAnswerNotAFailover() async throws {
        try await CannedOpenAIServer.with(script: [], fallback: .error(status: 400, message: "bad request")) { a in
            try await CannedOpenAIServer.with(script: [], fallback: .completion("other")) { b in
                let model = EndpointBalancedChatModel(identifier: "m", endpoints: [
                    try OpenAICompatibleChatModel(configuration: .init(baseURL: await a.baseURL, model: "m", retry: .never)),
                    try OpenAICompatibleChatModel(configuration: .init(baseURL: await b.baseURL, model: "m", retry: .never)),
                ])
                // Endpoint 0 is first in rotation; its 400 is passed through, never retried on 1.
                do {
                    _ = try await model.complete(ChatRequest(messages: [.user("x")]))
                    XCTFail("a 400 was hidden by failover")
                } catch {
                    XCTAssertTrue("\(error)".contains("400"), "\(error)")
                }
                let received = await b.requestCount
                XCTAssertEqual(received, 0)
            }
        }
    }
}
