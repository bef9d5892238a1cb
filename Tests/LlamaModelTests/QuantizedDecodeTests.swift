import Foundation
import Kernels
import LanguageModels
import Testing
@testable import LlamaModel

/// The quantized decode kernels (every instruction-set level this CPU runs) against the portable
/// scalar reference and against fp32 products of the dequantized weights, and quantized decoding
/// against the fp32 decode path.
@Suite struct QuantizedDecodeTests {
    static func random(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float.random(in: -scale...scale, using: &rng) }
    }

    /// Shapes: 3 blocks a row over 37 rows (two whole 16-row tiles and a partial one), and SmolLM2's
    /// 18 blocks a row over 50 rows; splits at row 20 and 33 cut tiles in the middle.
    static let shapes = [(rows: 37, cols: 96), (rows: 50, cols: 576)]

    @Test(arguments: QuantizedFormat.allCases, [0, 1])
    func everyLevelMatchesScalarReferenceAndFloatProduct(format: QuantizedFormat, shape: Int) throws {
        let (rows, cols) = Self.shapes[shape]
        let type = try #require(GGMLType(rawValue: format.rawValue))
        let weights = Self.random(rows * cols, seed: 11, scale: 0.2)
        let bytes = Quantize.encode(weights, as: type)
        let matrix = bytes.withUnsafeBytes { QuantizedMatrix(format: format, rows: rows, columns: cols, bytes: $0.baseAddress!) }
        let x = Self.random(cols, seed: 12, scale: 3)
        let activation = QuantizedActivation(count: cols)
        x.withUnsafeBufferPointer { activation.quantize($0.baseAddress!) }

        var reference = [Float](repeating: 0, count: rows)
        matrix.multiply(&reference, activation, rows: 0..<rows, accumulate: false, level: .scalar)
        let levels = KernelLevel.allCases.filter(\.isSupported)
        for level in levels where level != .scalar {
            var y = [Float](repeating: 1, count: rows)
            // Three parts, the later ones accumulating onto a preset value, as decode splits rows.
            matrix.multiply(&y, activation, rows: 0..<20, accumulate: false, level: level)
            matrix.multiply(&y, activation, rows: 20..<33, accumulate: true, level: level)
            matrix.multiply(&y, activation, rows: 33..<rows, accumulate: true, level: level)
            for r in 0..<rows {
                let expected = reference[r] + (r >= 20 ? 1 : 0)
                #expect(abs(y[r] - expected) <= 1e-4 * max(1, abs(expected)), "\(level) \(format) row \(r): \(y[r]) vs \(expected)")
            }
        }
        // Against the fp32 product of the dequantized weights: only the activation rounding differs.
        let dequantized = Dequantize.decode(type, bytes: bytes, count: rows * cols)
        for r in 0..<rows {
            var exact: Float = 0, magnitude: Float = 0
            for c in 0..<cols { exact += dequantized[r * cols + c] * x[c]; magnitude += abs(dequantized[r * cols + c] * x[c]) }
            #expect(abs(reference[r] - exact) <= 0.01 * magnitude, "\(format) row \(r): \(reference[r]) vs fp32 \(exact)")
        }
    }

    @Test func dispatchPicksTheBestLevelTheCPUHas() throws {
        #expect(KernelLevel.best.isSupported)
        #expect(KernelLevel.scalar.isSupported)
        let info = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = Set(info.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").map(String.init) ?? [])
        let hasAVX2 = ["avx2", "fma", "f16c"].allSatisfy(flags.contains)
        let hasVNNI = hasAVX2 && ["avx512f", "avx512bw", "avx512vl", "avx512_vnni"].allSatisfy(flags.contains)
        #expect(KernelLevel.best == (hasVNNI ? .avx512vnni : hasAVX2 ? .avx2 : .scalar), "cpuinfo flags vs \(KernelLevel.best)")
    }

    @Test(arguments: [GGMLType.q4_1, .q8_0, .q4_0, .f32])
    func quantizedDecodeStaysCloseToFloatDecode(type: GGMLType) throws {
        let url = try TinyModel.writeGGUF(type: type)
        defer { try? FileManager.default.removeItem(at: url) }
        let file = try GGUFFile(url: url)
        let exact = try LlamaEngine(gguf: file, decodeWeights: .fp32)
        let quantized = try LlamaEngine(gguf: file, decodeWeights: .quantized)
        let prompt = Array(EngineTests.tokens.prefix(6))
        let a0 = try exact.append(prompt), b0 = try quantized.append(prompt)
        #expect(a0 == b0, "prefill runs in fp32 on both")
        var worst: Float = 0
        for t in EngineTests.tokens.dropFirst(6) {
            let a = try exact.append([t]), b = try quantized.append([t])
            worst = max(worst, zip(a, b).map { abs($0 - $1) }.max()!)
        }
        // The activation's int8 rounding only (same bound as the Q8_0-vs-F32 weights test).
        #expect(worst < 0.1, "\(type.name): quantized vs fp32 decode max |Δ| \(worst)")
        #expect(worst > 0, "the quantized path did not run")
    }

    @Test(.enabled(if: TestFiles.smolLM2 != nil, "needs models/SmolLM2-135M-Instruct.Q4_1.gguf (scripts/prerequisites.sh)"))
    func smolLM2GreedyGenerationsEqualFloatDecode() throws {
        let file = try GGUFFile(url: try #require(TestFiles.smolLM2))
        let tokenizer = try BPETokenizer(gguf: file)
        let template = ChatTemplate(gguf: file)
        let exact = try LlamaEngine(gguf: file, maxContext: 256, decodeWeights: .fp32, cacheSlots: 1)
        let quantized = try LlamaEngine(gguf: file, maxContext: 256, decodeWeights: .quantized, cacheSlots: 1)
        let options = GenerationOptions(temperature: 0, maxTokens: 24)
        for question in ["What is the capital of France?", "Name three colors."] {
            let prompt = tokenizer.encode(template.render([.user(question)], addGenerationPrompt: true))
            let a = try exact.generate(prompt: prompt, options: options, tokenizer: tokenizer, stopTokens: [])
            let b = try quantized.generate(prompt: prompt, options: options, tokenizer: tokenizer, stopTokens: [])
            // Equal, or equal up to a token where fp32's own top two were a near tie (int8 activations and
            // a split attention round differently); never an early or a confident divergence.
            guard let k = a.tokens.indices.first(where: { $0 >= b.tokens.count || a.tokens[$0] != b.tokens[$0] }) else {
                #expect(a.tokens.count == b.tokens.count)
                continue
            }
            guard k < b.tokens.count else { Issue.record("\(question): quantized decode stopped early at \(k)"); continue }
            #expect(k >= 16, "\(question): diverged at token \(k): fp32 \(a.text.debugDescription) vs quantized \(b.text.debugDescription)")
            exact.reset()
            let logits = try exact.prefill(prompt + Array(a.tokens.prefix(k)))
            #expect(logits[a.tokens[k]] - logits[b.tokens[k]] < 0.5,
                    "\(question): token \(k) differs with an fp32 margin of \(logits[a.tokens[k]] - logits[b.tokens[k]])")
        }
        // Teacher-forced on one history: logits stay within 5% of their spread (measured worst: 3.3%), and
        // where the greedy choice differs the fp32 top two were a near tie. ("Write a short
        // greeting." diverges at such a tie, on whether to end the turn.)
        let prompt = tokenizer.encode(template.render([.user("Write a short greeting.")], addGenerationPrompt: true))
        let forced = try exact.generate(prompt: prompt, options: options, tokenizer: tokenizer, stopTokens: []).tokens
        var la = try exact.prefill(prompt), lb = try quantized.prefill(prompt)
        for t in forced {
            la = try exact.append([t]); lb = try quantized.append([t])
            let spread = la.max()! - la.min()!
            let worst = zip(la, lb).map { abs($0 - $1) }.max()!
            #expect(worst < 0.05 * spread, "max |Δlogit| \(worst), spread \(spread)")
            let ia = la.withUnsafeBufferPointer { Sampler.argmax($0) }, ib = lb.withUnsafeBufferPointer { Sampler.argmax($0) }
            if ia != ib { #expect(la[ia] - la[ib] < 0.5, "greedy differs with an fp32 margin of \(la[ia] - la[ib])") }
        }
    }
}
