import Foundation
import Testing
@testable import LlamaModel

/// A tiny Qwen-style tokenizer.json (NFC, Qwen2's Split regex, ByteLevel without its regex) made
/// by `tokenizers` in scripts/reference/qwen_reference.py, and the ids `tokenizers` gives on
/// tricky strings: our encoder must give exactly the same.
@Suite struct QwenTokenizerTests {
    struct Cases: Decodable {
        struct Case: Decodable { var text: String; var ids: [Int]; var decoded: String }
        var regex: String
        var cases: [Case]
    }

    static func cases() throws -> Cases {
        try JSONDecoder().decode(Cases.self, from: Data(contentsOf: QwenFixture.directory.appendingPathComponent("tokenizer_cases.json")))
    }

    @Test func tokenizerJSONMatchesHuggingFaceTokenizers() throws {
        let fixture = try Self.cases()
        #expect(fixture.regex == PreTokenizer.Pattern.qwen2.regex, "the regex this type implements is the one Qwen ships")
        let tok = try BPETokenizer(tokenizerJSON: QwenFixture.directory.appendingPathComponent("tokenizer.json"))
        #expect(tok.preTokenizer == .qwen2)
        #expect(fixture.cases.count >= 25)
        for c in fixture.cases {
            let ids = tok.encode(c.text)
            #expect(ids == c.ids, "text: \(c.text.debugDescription)")
            #expect(tok.decode(ids) == c.decoded, "decode of \(c.text.debugDescription)")
        }
    }

    @Test func ggufTokenizerIsTheSame() throws {
        let fixture = try Self.cases()
        for arch in ["qwen2", "qwen3"] {
            let tok = try BPETokenizer(gguf: GGUFFile(url: QwenFixture.gguf(arch)))
            #expect(tok.preTokenizer == .qwen2, "tokenizer.ggml.pre qwen2")
            for c in fixture.cases { #expect(tok.encode(c.text) == c.ids, "\(arch): \(c.text.debugDescription)") }
            #expect(tok.ggufMetadata.first { $0.0 == "tokenizer.ggml.pre" }?.1.stringValue == "qwen2")
        }
    }

    /// The pieces themselves, for the cases where Qwen's regex differs from GPT-2's.
    @Test func qwenPatternSplitsLikeItsRegex() {
        func pieces(_ text: String) -> [String] {
            let scalars = Array(text.unicodeScalars)
            return PreTokenizer.qwen2.split(scalars).map { String(String.UnicodeScalarView(scalars[$0])) }
        }
        #expect(pieces("1234 apples") == ["1", "2", "3", "4", " apples"])
        #expect(pieces("I'M here, DON'T") == ["I", "'M", " here", ",", " DON", "'T"])
        #expect(pieces("x\n\n  y") == ["x", "\n\n", " ", " y"])
        #expect(pieces("a  \n b") == ["a", "  \n", " b"])
        #expect(pieces("(hello)") == ["(hello", ")"])
        #expect(pieces("\thello") == ["\thello"])
        #expect(pieces("end.\n\nNext") == ["end", ".\n\n", "Next"])
        var llama3 = PreTokenizer.qwen2
        llama3.pattern = .llama3
        let scalars = Array("12345".unicodeScalars)
        #expect(llama3.split(scalars).count == 2, "Llama 3 groups up to three digits")
    }
}
