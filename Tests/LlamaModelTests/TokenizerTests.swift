import Foundation
import Testing
import LanguageModels
@testable import LlamaModel

@Suite struct TokenizerTests {
    @Test func tinyVocabularyMergesAndRoundTrips() throws {
        let tok = try TinyModel.tokenizer()
        let ids = tok.encode("hello world")
        #expect(ids.map { tok.tokens[$0] } == ["hell", "o", "Ġwor", "l", "d"])
        for text in ["hello world", "", "  a\n\n b\t", "naïve 😀 日本 123", "<|im_start|>user\nhi<|im_end|>"] {
            #expect(tok.decode(tok.encode(text)) == text)
        }
        #expect(tok.encode("<|im_end|>") == [258])
        #expect(tok.encode("<|im_end|>", allowSpecial: false).count == 10)
    }

    @Test func preTokenizerFollowsTheGPT2Pattern() {
        let pre = PreTokenizer(individualDigits: true)
        func pieces(_ s: String) -> [String] {
            let scalars = Array(s.unicodeScalars)
            return pre.split(scalars).map { r in String(String.UnicodeScalarView(scalars[r])) }
        }
        #expect(pieces("I'm here,  now 42x") == ["I", "'m", " here", ",", " ", " now", " ", "4", "2", "x"])
        #expect(pieces("a\n\n b") == ["a", "\n\n", " b"])
        #expect(pieces("a \t b  ") == ["a", " \t", " b", "  "])
        // Combining marks are neither \p{L} nor \p{N}, so they split from their base letter.
        #expect(pieces("e\u{301}t\u{e9}") == ["e", "\u{301}", "t\u{e9}"])
    }

    @Test func chatTemplateRendersChatMLAndMarksAssistantTokens() throws {
        let template = ChatTemplate(jinja: "{{ '<|im_start|>system\nYou are SmolLM<|im_end|>\n' }}{{'<|im_start|>' + message['role']}}")
        #expect(template.defaultSystemPrompt == "You are SmolLM")
        let text = template.render([.user("Hi")])
        #expect(text == "<|im_start|>system\nYou are SmolLM<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
        #expect(template.render([.system("S"), .user("Hi")], addGenerationPrompt: false)
                == "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n")

        let tok = try TinyModel.tokenizer()
        let (ids, mask) = template.encode([.system("S"), .user("Hi"), .assistant("hello")], with: tok)
        #expect(ids.count == mask.count)
        let target = zip(ids, mask).filter(\.1).map(\.0)
        #expect(tok.decode(target) == "hello<|im_end|>")
        #expect(tok.decode(ids) == template.render([.system("S"), .user("Hi"), .assistant("hello")], addGenerationPrompt: false))
    }

    @Test func tokenizerSurvivesGGUFMetadata() throws {
        let url = try TinyModel.writeGGUF()
        defer { try? FileManager.default.removeItem(at: url) }
        let tok = try BPETokenizer(gguf: GGUFFile(url: url))
        let original = try TinyModel.tokenizer()
        #expect(tok.tokens == original.tokens)
        #expect(tok.encode("hello world 12 <|im_start|>") == original.encode("hello world 12 <|im_start|>"))
        #expect(tok.eosID == 258)
    }
}

/// Exact comparison with Hugging Face `tokenizers` on SmolLM2's vocabulary
/// (fixture made by scripts/reference/tokenizer_reference.py).
@Suite struct SmolLM2TokenizerFixtureTests {
    struct Fixture: Decodable {
        struct Case: Decodable { var text: String; var ids: [Int] }
        var cases: [Case]
    }

    @Test(.enabled(if: TestFiles.smolLM2 != nil, "models/SmolLM2-135M-Instruct.Q4_1.gguf is absent (scripts/prerequisites.sh fetches it)"))
    func matchesHuggingFaceTokenizers() throws {
        let model = try #require(TestFiles.smolLM2)
        let file = try GGUFFile(url: model)
        let tok = try BPETokenizer(gguf: file)
        let data = try Data(contentsOf: TestFiles.fixtures.appendingPathComponent("smollm2_tokenizer.json"))
        let fixture = try JSONDecoder().decode(Fixture.self, from: data)
        #expect(fixture.cases.count > 30)
        for c in fixture.cases {
            let ids = tok.encode(c.text)
            #expect(ids == c.ids, "text: \(c.text.prefix(80).debugDescription)")
            if !c.text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" && $0 != "\r" }) {
                #expect(tok.decode(ids) == c.text)
            }
        }
        // The same vocabulary written as a Hugging Face tokenizer.json loads to the same tokenizer.
        let json = TestFiles.temporaryURL("tokenizer.json")
        defer { try? FileManager.default.removeItem(at: json) }
        try TokenizerJSON.write(tok, to: json)
        let fromJSON = try BPETokenizer(tokenizerJSON: json)
        for c in fixture.cases.prefix(12) { #expect(fromJSON.encode(c.text) == c.ids) }
    }
}

/// Writes a tokenizer as a Hugging Face tokenizer.json (BPE, Digits + ByteLevel), the shape
/// `scripts/reference/tokenizer_reference.py` gives the HF oracle.
enum TokenizerJSON {
    static func write(_ tok: BPETokenizer, to url: URL) throws {
        var vocab: [String: Int] = [:]
        for (i, t) in tok.tokens.enumerated() where !tok.specialIDs.contains(i) { vocab[t] = i }
        let merges = tok.ggufMetadata.first { $0.0 == "tokenizer.ggml.merges" }?.1.stringArray ?? []
        let added = tok.specialIDs.sorted().map { ["id": $0, "content": tok.tokens[$0], "special": true] as [String: Any] }
        var pre: [[String: Any]] = [["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true]]
        if tok.preTokenizer.individualDigits { pre.insert(["type": "Digits", "individual_digits": true], at: 0) }
        let json: [String: Any] = [
            "added_tokens": added,
            "pre_tokenizer": ["type": "Sequence", "pretokenizers": pre],
            "model": ["type": "BPE", "vocab": vocab, "merges": merges, "byte_fallback": false],
        ]
        try JSONSerialization.data(withJSONObject: json).write(to: url)
    }
}
