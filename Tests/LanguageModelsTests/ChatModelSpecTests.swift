import XCTest
@testable import LanguageModels

final class ChatModelSpecTests: XCTestCase {
    func testLocalSpellings() throws {
        XCTAssertEqual(try ChatModelSpec(parsing: "local"), .local(path: nil))
        XCTAssertEqual(try ChatModelSpec(parsing: "local:/models/x.gguf"), .local(path: "/models/x.gguf"))
    }

    func testRemoteSpellings() throws {
        XCTAssertEqual(try ChatModelSpec(parsing: "openai:gpt-4o-mini"),
                       .remote(.init(server: .openai, model: "gpt-4o-mini", baseURL: "https://api.openai.com/v1")))
        XCTAssertEqual(try ChatModelSpec(parsing: "vllm:meta-llama/Llama-3.1-8B-Instruct@http://localhost:8000/v1"),
                       .remote(.init(server: .vllm, model: "meta-llama/Llama-3.1-8B-Instruct", baseURL: "http://localhost:8000/v1")))
        XCTAssertEqual(try ChatModelSpec(parsing: "http://10.0.0.2:8080/v1/#qwen2.5-7b"),
                       .remote(.init(server: .generic, model: "qwen2.5-7b", baseURL: "http://10.0.0.2:8080/v1")))
        XCTAssertEqual(try ChatModelSpec(parsing: "ollama:llama3.1:8b"),
                       .remote(.init(server: .ollama, model: "llama3.1:8b", baseURL: "http://localhost:11434/v1")))
        XCTAssertEqual(try ChatModelSpec(parsing: "llama.cpp:smol"),
                       .remote(.init(server: .llamacpp, model: "smol", baseURL: "http://localhost:8080/v1")))
    }

    func testDescriptionRoundTrips() throws {
        for text in ["local", "local:/m.gguf", "openai:gpt-4o-mini", "vllm:org/m@http://gpu:9000/v1", "http://h:1/v1#m",
                     "ollama:llama3.1:8b"] {
            XCTAssertEqual(try ChatModelSpec(parsing: text).description, text)
        }
    }

    func testBadSpecsExplainThemselves() {
        for text in ["gpt-4o", "foo:bar", "openai:", "http://h/v1", "openai-compatible:m", "local:"] {
            XCTAssertThrowsError(try ChatModelSpec(parsing: text), text) { error in
                XCTAssertTrue("\(error)".contains("cannot read model \"\(text)\""), "\(error)")
            }
        }
    }

    func testServerSettings() throws {
        guard case .remote(let openai) = try ChatModelSpec(parsing: "openai:gpt-4o-mini"),
              case .remote(let vllm) = try ChatModelSpec(parsing: "vllm:m") else { return XCTFail() }
        XCTAssertTrue(openai.configuration().requiresAPIKey)
        XCTAssertEqual(openai.configuration().tokenLimitParameter, .maxCompletionTokens)
        XCTAssertEqual(vllm.configuration().tokenLimitParameter, .maxTokens)
        XCTAssertFalse(openai.configuration().guidedChoice)
        XCTAssertTrue(vllm.configuration().guidedChoice)
        XCTAssertFalse(vllm.configuration().requiresAPIKey)
        XCTAssertEqual(vllm.configuration(apiKeyEnvironmentVariable: "VLLM_KEY").apiKeyEnvironmentVariable, "VLLM_KEY")
    }
}
