import ArgumentParser
import Foundation
import Kernels
import LlamaModel
import NNetnavSupport

/// Speed of the in-process engine on the embedded model: load, prefill and decode tokens/s,
/// with the fraction of sgemm peak reached by prefill (peak measured in the same run).
extension LlamaEngine.DecodeWeights: ExpressibleByArgument {}

struct EngineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Load time, prefill and decode tokens/s of the local Llama engine (SmolLM2-135M by default).",
        discussion: """
        Prefill runs a prompt of --prompt-tokens tokens as one batch; decode then generates \
        --decode-tokens tokens greedily, one at a time against the KV cache. Each figure is the best \
        of --repeats runs (the machine is shared). Yardsticks on this machine (trainer.md): PyTorch \
        2.13 fp32 reference forward, prefill 272-389 tok/s, decode 21-23 tok/s.
        """
    )

    @Option(help: "GGUF model file (default: the embedded SmolLM2-135M-Instruct).")
    var model: String?
    @Option(help: "Prompt length for the prefill measurement.")
    var promptTokens = 512
    @Option(help: "Tokens generated in the decode measurement.")
    var decodeTokens = 128
    @Option(help: "OpenBLAS threads.")
    var threads = 2
    @Option(help: "Repetitions; the best is reported.")
    var repeats = 3
    @Option(help: "Weights read by decoding: bf16 (half the bytes) or fp32.")
    var decodeWeights: LlamaEngine.DecodeWeights = .bf16
    @Flag(help: "Also compare single-thread matrix-vector kernels (fp32 sgemv, Q8, BF16) on 30 MLP-sized matrices.")
    var kernels = false

    func run() async throws {
        BLASInfo.setThreads(threads)
        let url = model.map { URL(fileURLWithPath: $0) } ?? ProjectLayout.current.defaultModelFile
        let env = ProcessInfo.processInfo.environment
        print("OpenBLAS kernel \(BLASInfo.coreName), \(BLASInfo.threads) threads, OPENBLAS_CORETYPE=\(env["OPENBLAS_CORETYPE"] ?? "(unset)")")

        if kernels { compareKernels() }
        let peak = sgemmPeak()
        print(String(format: "sgemm peak (2048³, best of 3): %.1f GFLOP/s", peak))

        let loadStart = Date()
        let file = try GGUFFile(url: url)
        let tokenizer = try BPETokenizer(gguf: file)
        let engine = try LlamaEngine(gguf: file, maxContext: promptTokens + decodeTokens + 8, decodeWeights: decodeWeights)
        let load = Date().timeIntervalSince(loadStart)
        let c = engine.config
        print(String(format: "load %@: %.2f s (%d layers, dim %d, %.1fM parameters, fp32 weights, \(decodeWeights.rawValue) copies for decode)",
                     url.lastPathComponent, load, c.layerCount, c.dim, Double(c.parameterCount) / 1e6))

        // A natural-text prompt, repeated to length.
        let text = String(repeating: "The quick brown fox jumps over the lazy dog while the web agent clicks [42] and types \"hello world\". ", count: 200)
        let prompt = Array(tokenizer.encode(text).prefix(promptTokens))
        let T = Double(prompt.count)

        var prefillBest = Double.infinity
        for _ in 0..<repeats {
            engine.reset()
            let start = Date()
            try engine.append(prompt)
            prefillBest = min(prefillBest, Date().timeIntervalSince(start))
        }
        // FLOPs: every linear layer over T tokens, causal attention (QKᵀ and PV), one head row.
        let perLayerLinear = Double(c.dim * c.dim * 2 + c.kvDim * c.dim * 2 + 3 * c.dim * c.hiddenDim)
        let attention = 2 * 2 * Double(c.dim) * T * (T + 1) / 2
        let flops = Double(c.layerCount) * (2 * T * perLayerLinear + attention) + 2 * Double(c.vocabSize * c.dim)
        let prefillRate = flops / prefillBest / 1e9
        print(String(format: "prefill %d tokens: %.3f s, %.0f tok/s, %.1f GFLOP/s = %.0f%% of sgemm peak",
                     prompt.count, prefillBest, T / prefillBest, prefillRate, 100 * prefillRate / peak))

        var decodeBest = Double.infinity
        var generated = 0
        for _ in 0..<repeats {
            engine.truncate(to: prompt.count)
            var logits = try engine.prefill(prompt)
            let start = Date()
            for _ in 0..<decodeTokens {
                let next = logits.withUnsafeBufferPointer { Sampler.argmax($0) }
                logits = try engine.append([next])
            }
            decodeBest = min(decodeBest, Date().timeIntervalSince(start))
            generated = decodeTokens
        }
        let bytesPerToken = Double(c.parameterCount) * (decodeWeights == .bf16 ? 2 : 4)
        print(String(format: "decode %d tokens after the prompt: %.3f s, %.1f tok/s (%.1f GB/s of \(decodeWeights.rawValue) weights)",
                     generated, decodeBest, Double(generated) / decodeBest, bytesPerToken * Double(generated) / decodeBest / 1e9))
        print("yardstick: PyTorch 2.13 fp32 reference (trainer.md), prefill 272-389 tok/s, decode 21-23 tok/s; llama.cpp not available offline")
    }

    /// Decode is memory-bound: compare reading 30 (1536×576) matrices, about the MLP up
    /// projections of SmolLM2, as fp32 through OpenBLAS and as the compact formats.
    private func compareKernels() {
        BLASInfo.setThreads(1)
        defer { BLASInfo.setThreads(threads) }
        let rows = 1536, cols = 576, count = 30
        var rng = SplitMix64(seed: 1)
        let mats = (0..<count).map { _ in (0..<rows * cols).map { _ in Float(Int(rng.next() % 2001) - 1000) / 1e4 } }
        let x = (0..<cols).map { Float($0 % 7) - 3 }
        var y = [Float](repeating: 0, count: rows)
        func time(_ body: () -> Void) -> Double {
            var best = Double.infinity
            for _ in 0..<5 { let s = Date(); body(); best = min(best, Date().timeIntervalSince(s)) }
            return best
        }
        let fp32 = time {
            for m in mats { m.withUnsafeBufferPointer { w in Matmul.gemv(&y, w.baseAddress!, x, n: rows, k: cols) } }
        }
        let reference = y
        print(String(format: "kernel fp32 sgemv: %.2f ms (%.1f GB/s)", fp32 * 1e3, Double(count * rows * cols * 4) / fp32 / 1e9))
        for format in CompactMatrix.Format.allCases {
            let compact = mats.map { m in m.withUnsafeBufferPointer { CompactMatrix($0.baseAddress!, rows: rows, columns: cols, format: format) } }
            let t = time { for c in compact { c.multiply(&y, x, rows: 0..<rows, accumulate: false) } }
            let err = zip(y, reference).map { abs($0 - $1) }.max()!
            print(String(format: "kernel %@: %.2f ms (%.1f GB/s, %.2fx fp32, max |Δ| %.4f)", format.rawValue, t * 1e3,
                         Double(count * compact[0].byteCount) / t / 1e9, fp32 / t, err))
            for c in compact { c.release() }
        }
    }

    private func sgemmPeak() -> Double {
        let n = 2048
        let a = [Float](repeating: 0.5, count: n * n), b = [Float](repeating: 0.25, count: n * n)
        var c = [Float](repeating: 0, count: n * n)
        var best = Double.infinity
        for _ in 0..<3 {
            let start = Date()
            a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                Matmul.linear(pc.baseAddress!, pa.baseAddress!, pb.baseAddress!, m: n, n: n, k: n)
            } } }
            best = min(best, Date().timeIntervalSince(start))
        }
        return 2 * Double(n * n * n) / best / 1e9
    }
}
