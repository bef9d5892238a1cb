import Foundation
import LanguageModels
import LlamaModel
import XCTest
@testable import Trainer

final class ChatDatasetTests: XCTestCase {
    /// The embedded SmolLM2 GGUF (for its tokenizer), if this checkout has it.
    static var smolLM2: URL? {
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let env = ProcessInfo.processInfo.environment["NNETNAV_MODELS"].map { URL(fileURLWithPath: $0) }
        return [env, checkout.appendingPathComponent("models")].compactMap { $0 }
            .map { $0.appendingPathComponent("SmolLM2-135M-Instruct.Q4_1.gguf") }
            .first { FileManager.default.fileExists(atPath: $0.path) }
    }

    private func write(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("chat-\(UUID().uuidString).jsonl")
        try text.write(to: url, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testTargetsAreExactlyTheAssistantTurn() throws {
        guard let gguf = Self.smolLM2 else { throw XCTSkip("embedded SmolLM2 GGUF not present") }
        let tokenizer = try BPETokenizer(gguf: GGUFFile(url: gguf))
        let answer = "In summary, the next action I will perform is ```click [12]```"
        let url = try write("""
        {"messages":[{"role":"system","content":"You are a web agent."},{"role":"user","content":"OBJECTIVE: buy a lamp"},{"role":"assistant","content":"\(answer)"}],"task_id":3}

        """)
        let dataset = try ChatDataset(jsonl: url)
        let examples = dataset.examples(tokenizer: tokenizer, template: ChatTemplate())
        let rows = SequencePacker.pack(examples, seq: 128)
        let predicted = rows[0].targets.filter { $0 >= 0 }.map(Int.init)
        XCTAssertEqual(tokenizer.decode(predicted), answer + "<|im_end|>")
        XCTAssertEqual(NextAction.extract(answer), "click [12]")
    }

    func testMalformedLineIsReportedWithItsNumber() throws {
        let url = try write("""
        {"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"```stop [ok]```"}]}
        {"messages": [oops
        """)
        XCTAssertThrowsError(try ChatDataset(jsonl: url)) { error in
            XCTAssertTrue("\(error)".contains("line 2"), "\(error)")
        }
    }
}
