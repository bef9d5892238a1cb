import Foundation
import NNetnavSupport
import TestSupport
@testable import LlamaModel

/// Deterministic pseudo-random numbers for building test models.
typealias SeededGenerator = SplitMix64

enum TestFiles {
    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static var smolLM2: URL? {
        let env = ProcessInfo.processInfo.environment["NNETNAV_MODELS"].map { URL(fileURLWithPath: $0) }
        for dir in [env, checkout.appendingPathComponent("models")].compactMap({ $0 }) {
            let url = dir.appendingPathComponent("SmolLM2-135M-Instruct.Q4_1.gguf")
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        return nil
    }

    static func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("llamamodel-tests-\(UUID().uuidString)-\(name)")
    }
}

/// A tiny random Llama model with a tiny byte-level vocabulary, written to GGUF by the tests.
enum TinyModel {
    static let config = TinyLlama.config

    static func weights(seed: UInt64 = 7, config: LlamaConfig = config) -> LlamaWeights {
        TinyLlama.weights(seed: seed, config: config)
    }

    /// A byte-level vocabulary: the 256 byte symbols, ChatML specials, and a few merges.
    static func tokenizer() throws -> BPETokenizer {
        var tokens = (0..<256).map { String(ByteLevel.byteToScalar[$0]) }
        let specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
        tokens += specials
        let merges: [(String, String)] = [("h", "e"), ("l", "l"), ("he", "ll"), ("Ġ", "w"), ("o", "r"), ("Ġw", "or")]
        for (a, b) in merges { tokens.append(a + b) }
        while tokens.count < config.vocabSize { tokens.append("<unused\(tokens.count)>") }
        return try BPETokenizer(tokens: tokens, merges: merges, specialTokens: [256, 257, 258],
                                preTokenizer: PreTokenizer(individualDigits: true), bosID: 257, eosID: 258)
    }

    static func writeGGUF(type: GGMLType = .f32, seed: UInt64 = 7) throws -> URL {
        let url = TestFiles.temporaryURL("tiny.gguf")
        try weights(seed: seed).write(gguf: url, weightType: type, extraMetadata: try tokenizer().ggufMetadata)
        return url
    }
}
