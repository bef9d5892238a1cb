import Foundation
import Testing
import LanguageModels
@testable import LlamaModel

/// Tiny random Qwen2 and Qwen3 models made by `transformers` (scripts/reference/qwen_reference.py):
/// the engine's logits on their safetensors and GGUF files match the Python model's.
enum QwenFixture {
    static let directory = TestFiles.fixtures.appendingPathComponent("qwen")

    struct LogitsRecord: Decodable {
        var ids: [Int]
        var columns: [Int]
        var sampled: [[Double]]
        var logsumexp: [Double]
        var argmax: [Int]
    }
    struct GradientRecord: Decodable {
        var ids: [Int]
        var targets: [Int]
        var loss: Double
        var stride: Int
        var gradients: [String: [Double]]
    }
    struct Family: Decodable {
        var logits: [LogitsRecord]
        var gradient: GradientRecord
    }

    static func expected() throws -> [String: Family] {
        try JSONDecoder().decode([String: Family].self, from: Data(contentsOf: directory.appendingPathComponent("expected.json")))
    }

    static func safetensors(_ arch: String) -> URL { directory.appendingPathComponent("\(arch)/model.safetensors") }
    static func gguf(_ arch: String) -> URL { directory.appendingPathComponent("\(arch).gguf") }

    /// Compares rows of logits (vocab per row) with a record, within `tolerance` (absolute, logits ~ ±10).
    static func check(_ logits: [Float], vocab: Int, against r: LogitsRecord, tolerance: Double, _ label: String) {
        #expect(logits.count == r.ids.count * vocab, "\(label): \(logits.count) logits")
        guard logits.count == r.ids.count * vocab else { return }
        var worst = 0.0
        for t in r.ids.indices {
            let row = Array(logits[t * vocab ..< (t + 1) * vocab])
            for (k, col) in r.columns.enumerated() { worst = max(worst, abs(Double(row[col]) - r.sampled[t][k])) }
            let m = Double(row.max()!)
            let lse = m + log(row.reduce(0.0) { $0 + exp(Double($1) - m) })
            worst = max(worst, abs(lse - r.logsumexp[t]))
            #expect(row.indices.max { row[$0] < row[$1] } == r.argmax[t], "\(label): argmax at position \(t)")
        }
        #expect(worst < tolerance, "\(label): largest logit difference \(worst)")
    }
}

@Suite struct QwenLogitsTests {
    @Test(arguments: ["qwen2", "qwen3"])
    func safetensorsLogitsMatchTransformers(arch: String) throws {
        let expected = try #require(try QwenFixture.expected()[arch])
        let weights = try LlamaWeights.load(safetensors: QwenFixture.safetensors(arch))
        let c = weights.config
        #expect(c.architecture.rawValue == arch)
        #expect(c.ropeTheta == 1_000_000)
        #expect(c.rmsNormEps == 1e-6)
        if arch == "qwen2" {
            #expect(c.attentionBias && !c.queryKeyNorm && c.tiedEmbeddings && c.queryDim == c.dim)
        } else {
            #expect(!c.attentionBias && c.queryKeyNorm && !c.tiedEmbeddings)
            #expect(c.headDim == 16 && c.queryDim == 64 && c.dim == 32, "head_dim · heads differs from hidden_size, as in Qwen3-0.6B")
        }
        let engine = try LlamaEngine(weights: weights)
        for (i, record) in expected.logits.enumerated() {
            engine.reset()
            let logits = try engine.append(record.ids, logits: .all)
            QwenFixture.check(logits, vocab: c.vocabSize, against: record, tolerance: 2e-3, "\(arch) prompt \(i) prefill")
            // Token by token through the KV cache (the decode path).
            engine.reset()
            var rows: [Float] = []
            for id in record.ids { rows += try engine.append([id], logits: .last) }
            QwenFixture.check(rows, vocab: c.vocabSize, against: record, tolerance: 2e-3, "\(arch) prompt \(i) decode")
        }
    }

    @Test(arguments: ["qwen2", "qwen3"])
    func ggufLoadsTheSameModel(arch: String) throws {
        let expected = try #require(try QwenFixture.expected()[arch])
        let file = try GGUFFile(url: QwenFixture.gguf(arch))
        let fromGGUF = try LlamaWeights.load(gguf: file)
        let fromSafetensors = try LlamaWeights.load(safetensors: QwenFixture.safetensors(arch))
        // The one shape table and the one row order, whichever file the weights came from.
        #expect(fromGGUF.config == fromSafetensors.config)
        for t in fromGGUF.config.tensors { #expect(fromGGUF.tensors[t.name] == fromSafetensors.tensors[t.name], "\(t.name)") }
        for decode in [LlamaEngine.DecodeWeights.fp32, .bf16, .quantized] {
            let engine = try LlamaEngine(gguf: file, decodeWeights: decode)
            let record = expected.logits[0]
            let prefill = try engine.append(record.ids, logits: .all)
            QwenFixture.check(prefill, vocab: engine.config.vocabSize, against: record, tolerance: 2e-3, "\(arch) gguf prefill")
            engine.reset()
            var rows: [Float] = []
            for id in record.ids { rows += try engine.append([id], logits: .last) }
            // bf16 weights and Q8_0 weights × int8 activations round: within 5% of each row's spread
            // (the bound of the quantized-decode tests); zeroing qwen2's biases moves every row by ≥ 19% of it.
            let vocab = engine.config.vocabSize
            for t in record.ids.indices {
                let spread = record.sampled[t].max()! - record.sampled[t].min()!
                let tolerance = decode == .fp32 ? 2e-3 : 0.05 * spread
                var worst = 0.0
                for (k, col) in record.columns.enumerated() { worst = max(worst, abs(Double(rows[t * vocab + col]) - record.sampled[t][k])) }
                #expect(worst < tolerance, "\(arch) gguf decode \(decode) position \(t): largest difference \(worst), spread \(spread)")
            }
        }
    }

    @Test func writtenFilesRoundTrip() throws {
        for arch in ["qwen2", "qwen3"] {
            let weights = try LlamaWeights.load(safetensors: QwenFixture.safetensors(arch))
            let gguf = TestFiles.temporaryURL("\(arch).gguf"), st = TestFiles.temporaryURL("\(arch).safetensors")
            defer { for u in [gguf, st] { try? FileManager.default.removeItem(at: u) } }
            try weights.write(gguf: gguf)
            try weights.write(safetensors: st)
            let file = try GGUFFile(url: gguf)
            #expect(file["general.architecture"]?.stringValue == arch)
            // Qwen GGUFs keep q/k rows half-split, as llama.cpp's converter writes them.
            let original = try GGUFFile(url: QwenFixture.gguf(arch))
            #expect(try file.floats(LlamaTensorName.query(0)) == original.floats(LlamaTensorName.query(0)))
            for back in [try LlamaWeights.load(gguf: gguf), try LlamaWeights.load(safetensors: st)] {
                #expect(back.config == weights.config)
                for t in weights.config.tensors { #expect(back.tensors[t.name] == weights.tensors[t.name], "\(arch) \(t.name)") }
            }
        }
    }

    @Test func configReadsQwenMetadata() throws {
        let qwen3 = try LlamaConfig(huggingFaceConfig: QwenFixture.directory.appendingPathComponent("qwen3/config.json"))
        #expect(qwen3.architecture == .qwen3 && qwen3.headSize == 16 && qwen3.kvHeadCount == 2)
        // Configs saved before the Qwen fields existed decode as Llama.
        let old = #"{"vocabSize":10,"dim":8,"hiddenDim":8,"layerCount":1,"headCount":2,"kvHeadCount":1,"contextLength":16,"ropeTheta":10000,"rmsNormEps":1e-5,"tiedEmbeddings":true}"#
        let decoded = try JSONDecoder().decode(LlamaConfig.self, from: Data(old.utf8))
        #expect(decoded.architecture == .llama && !decoded.attentionBias && !decoded.queryKeyNorm && decoded.headDim == 4)
        #expect(try JSONDecoder().decode(LlamaConfig.self, from: JSONEncoder().encode(qwen3)) == qwen3)
        // A family the engine does not run is refused by name.
        let dir = TestFiles.temporaryURL("gemma")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("config.json")
        try Data(#"{"model_type":"gemma3","vocab_size":10,"hidden_size":8,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":2}"#.utf8).write(to: json)
        #expect(throws: ModelFileError.self) { try LlamaConfig(huggingFaceConfig: json) }
    }

    @Test func localChatModelRunsQwen3WithoutThinking() async throws {
        let model = try LocalChatModel(modelFile: QwenFixture.gguf("qwen3"), maxContext: 128, decodeWeights: .fp32)
        #expect(model.template.thinkingPrefix == ChatTemplate.emptyThinkBlock)
        let prompt = model.template.render([ChatMessage(role: .user, content: "hi")])
        #expect(prompt.hasSuffix("<|im_start|>assistant\n<think>\n\n</think>\n\n"))
        #expect(model.template.visibleText("<think>\nhmm\n</think>\n\nAnswer") == "Answer")
        let reply = try await model.complete(ChatRequest(messages: [ChatMessage(role: .user, content: "hi")],
                                                         options: GenerationOptions(temperature: 0, maxTokens: 5)))
        #expect(reply.usage.completionTokens >= 1)
        // Fine-tuning sees the same opening: the empty think block is part of the prompt, not of the target.
        let segments = model.template.segments([ChatMessage(role: .user, content: "hi"), ChatMessage(role: .assistant, content: "click [3]")],
                                               addGenerationPrompt: false)
        #expect(segments.filter(\.isAssistantTarget).map(\.text) == ["click [3]<|im_end|>"])
        #expect(segments.contains { !$0.isAssistantTarget && $0.text == "<|im_start|>assistant\n<think>\n\n</think>\n\n" })
        let qwen2 = try LocalChatModel(modelFile: QwenFixture.gguf("qwen2"), maxContext: 128, decodeWeights: .fp32)
        #expect(qwen2.template.thinkingPrefix == nil)
        #expect(qwen2.template.defaultSystemPrompt == "You are a tiny test model.")
    }
}
