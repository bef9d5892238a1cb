import Foundation
import LanguageModels
import XCTest
@testable import LlamaModel

/// The in-process model honours task cancellation (issue 14 item 7).
final class LocalModelCancellationTests: XCTestCase {
    func testACancelledCallDoesNotRunAndGenerationStopsBetweenTokens() async throws {
        let url = try TinyModel.writeGGUF()
        defer { try? FileManager.default.removeItem(at: url) }
        let model = try LocalChatModel(modelFile: url, maxContext: 128)
        let call = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await model.complete(ChatRequest(messages: [.user("hello")], options: .init(maxTokens: 50)))
        }
        do {
            _ = try await call.value
            XCTFail("a cancelled call must not produce an answer")
        } catch {
            XCTAssertTrue(error is CancellationError, "\(error)")
        }

        let engine = try LlamaEngine(weights: TinyModel.weights(), maxContext: 64)
        let tokenizer = try BPETokenizer(gguf: GGUFFile(url: url))
        var asked = 0
        XCTAssertThrowsError(try engine.generate(prompt: [1, 2, 3], options: .init(maxTokens: 20), tokenizer: tokenizer,
                                                 stopTokens: [], shouldStop: { asked += 1; return asked > 3 })) { error in
            XCTAssertTrue(error is CancellationError, "\(error)")
        }
        XCTAssertEqual(asked, 4, "checked before every token")
        // The model still answers afterwards.
        let answer = try await model.complete(ChatRequest(messages: [.user("hello")], options: .init(maxTokens: 3)))
        XCTAssertLessThanOrEqual(answer.usage.completionTokens, 3)
    }
}
