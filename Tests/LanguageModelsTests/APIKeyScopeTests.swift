import XCTest
@testable import LanguageModels

/// API keys go only to the host they are for; URL passwords never show (issue 14 item 8).
final class APIKeyScopeTests: XCTestCase {
    private let secret = "sk-openai-DO-NOT-LEAK-42"

    private func remote(_ spec: String) throws -> ChatModelSpec.Remote {
        guard case .remote(let r) = try ChatModelSpec(parsing: spec) else { throw XCTSkip("not remote") }
        return r
    }

    func testOnlyHostedOpenAIGetsTheOpenAIKeyUnasked() throws {
        XCTAssertEqual(try remote("openai:gpt-4o-mini").configuration().apiKeyEnvironmentVariable, "OPENAI_API_KEY")
        for spec in ["vllm:m@http://10.1.2.3:8000/v1", "vllm:m", "ollama:llama3.1", "llamacpp:m",
                     "https://models.example.com/v1#m", "openai:gpt-4o@https://evil.example.com/v1",
                     "openai:gpt-4o@http://api.openai.com/v1", "openai:gpt-4o@https://api.openai.com.evil.example/v1"] {
            XCTAssertNil(try remote(spec).configuration().apiKeyEnvironmentVariable, "\(spec) gets no key unless one is named")
        }
        XCTAssertEqual(try remote("https://models.example.com/v1#m").configuration(apiKeyEnvironmentVariable: "EXAMPLE_KEY")
            .apiKeyEnvironmentVariable, "EXAMPLE_KEY", "a key the user names for the endpoint is used")
    }

    func testAModelSpecPointingElsewhereNeverReceivesTheOpenAIKey() async throws {
        try await CannedOpenAIServer.with(script: [.completion("ok")]) { server in
            let base = await server.baseURL
            let configuration = try self.remote("vllm:m@\(base)").configuration()
            let model = try OpenAICompatibleChatModel(configuration: configuration, environment: ["OPENAI_API_KEY": self.secret])
            _ = try await model.complete(ChatRequest(messages: [.user("hi")]))
            let sent = await server.received.first
            XCTAssertNil(sent?.authorization, "the OpenAI key stayed home")
        }
    }

    func testNoSecretOverPlainHTTPToARemoteHostWithoutOptIn() throws {
        let config = OpenAICompatibleChatModel.Configuration(baseURL: "http://10.9.8.7:8000/v1", model: "m",
                                                             apiKeyEnvironmentVariable: "MY_KEY")
        XCTAssertThrowsError(try OpenAICompatibleChatModel(configuration: config, environment: ["MY_KEY": secret])) { error in
            XCTAssertTrue("\(error)".contains(APIKeyScope.plaintextOptInVariable), "\(error)")
            XCTAssertFalse("\(error)".contains(self.secret))
        }
        XCTAssertNoThrow(try OpenAICompatibleChatModel(configuration: config, environment: ["MY_KEY": secret, APIKeyScope.plaintextOptInVariable: "1"]))
        XCTAssertNoThrow(try OpenAICompatibleChatModel(configuration: config, environment: [:]), "no key, nothing to leak")
        let loopback = OpenAICompatibleChatModel.Configuration(baseURL: "http://localhost:8000/v1", model: "m", apiKeyEnvironmentVariable: "MY_KEY")
        XCTAssertNoThrow(try OpenAICompatibleChatModel(configuration: loopback, environment: ["MY_KEY": secret]))
        let https = OpenAICompatibleChatModel.Configuration(baseURL: "https://10.9.8.7/v1", model: "m", apiKeyEnvironmentVariable: "MY_KEY")
        XCTAssertNoThrow(try OpenAICompatibleChatModel(configuration: https, environment: ["MY_KEY": secret]))
        let password = OpenAICompatibleChatModel.Configuration(baseURL: "http://bob:hunter2@10.9.8.7:8000/v1", model: "m")
        XCTAssertThrowsError(try OpenAICompatibleChatModel(configuration: password, environment: [:]), "a URL password is a secret too")
    }

    func testCredentialsInABaseURLNeverReachIdentifiersDescriptionsOrErrors() async throws {
        try await CannedOpenAIServer.with(script: [.completion("ok")]) { server in
            let base = await server.baseURL   // http://127.0.0.1:PORT/v1
            let withPassword = base.replacingOccurrences(of: "http://", with: "http://bob:hunter2@")
            let spec = try ChatModelSpec(parsing: "vllm:m@\(withPassword)")
            XCTAssertFalse(spec.description.contains("hunter2"), spec.description)
            guard case .remote(let remote) = spec else { return XCTFail() }
            XCTAssertEqual(remote.baseURL, base)
            XCTAssertFalse("\(remote)".contains("hunter2"), "\(remote)")
            let model = try OpenAICompatibleChatModel(configuration: remote.configuration(), environment: [:])
            XCTAssertFalse(model.identifier.contains("hunter2"), "the identifier is in cache keys and the crawl store")
            XCTAssertFalse(model.identifier.contains("bob"))
            let request = ChatRequest(messages: [.user("hi")])
            XCTAssertFalse(String(decoding: ResponseCache.canonicalJSON(model: model.identifier, request: request), as: UTF8.self)
                .contains("hunter2"))
            _ = try await model.complete(request)
            let sent = await server.received.first
            XCTAssertEqual(sent?.authorization, "Basic " + Data("bob:hunter2".utf8).base64EncodedString(), "sent as Basic auth instead")

            let generic = try ChatModelSpec(parsing: "\(withPassword)#m")
            XCTAssertFalse(generic.description.contains("hunter2"))
        }
        XCTAssertThrowsError(try ChatModelSpec(parsing: "http://bob:hunter2@example.com/v1")) { error in
            XCTAssertFalse("\(error)".contains("hunter2"), "\(error)")
        }
    }
}
