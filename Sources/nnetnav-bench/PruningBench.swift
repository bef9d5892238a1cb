import ArgumentParser
import Foundation
import Kernels
import LlamaModel
import NNetnavSupport
import Pruning

/// Decode and prefill speed of structurally pruned models (FFN channels gathered into smaller matrices)
/// against the dense model, all loaded the same way, and whether a 2:4 sparse matrix-vector product can
/// beat the dense kernels decode already uses.
struct PruningBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pruning",
        abstract: "Decode/prefill tokens/s and weight memory: dense vs FFN-channel-pruned SmolLM2; 2:4 storage vs dense GEMV.",
        discussion: """
        Every model is built from the same dequantized weights (magnitude channel scores; the speed does not \
        depend on which method chose the channels) and decodes with --decode-weights (quantized: Q8_0 blocks, \
        the engine's default for models it quantizes itself). Each figure is the best of --repeats.
        """)

    @Option(help: "GGUF model file (default: the embedded SmolLM2-135M-Instruct).") var model: String?
    @Option(help: "FFN channel sparsities to compare with the dense model.") var sparsities: [Double] = [0.3, 0.5]
    @Option(help: "Prompt length for prefill.") var promptTokens = 128
    @Option(help: "Tokens decoded.") var decodeTokens = 64
    @Option(help: "Repetitions; the best is reported.") var repeats = 3
    @Option(help: "Weights read by decoding: quantized, bf16 or fp32.") var decodeWeights: LlamaEngine.DecodeWeights = .quantized
    @Option(help: "Threads.") var threads = 2

    func run() async throws {
        BLASInfo.setThreads(threads)
        print("load average before: \(EngineBench.loadAverage); decode weights \(decodeWeights.rawValue); kernels \(KernelLevel.best)")
        let url = model.map { URL(fileURLWithPath: $0) } ?? ProjectLayout.current.defaultModelFile
        let file = try GGUFFile(url: url)
        let tokenizer = try BPETokenizer(gguf: file)
        let dense = try LlamaWeights.load(gguf: file)
        let text = String(repeating: "The quick brown fox jumps over the lazy dog while the web agent clicks [42] and types \"hello world\". ", count: 50)
        let prompt = Array(tokenizer.encode(text).prefix(promptTokens))
        var variants: [(String, LlamaWeights)] = [("dense", dense)]
        let scores = try MagnitudeImportance.scores(dense)
        for s in sparsities {
            let mask = try MaskBuilder(pattern: .ffnChannels, sparsity: s).build(scores, config: dense.config)
            variants.append((String(format: "ffn-channels %.0f%%", 100 * s), try ChannelGather.gather(dense, keptChannels: mask.keptChannels!)))
        }
        print("model                 hidden  params(M)  fp32 MB  decode-weight MB  prefill tok/s  decode tok/s (vs dense)  decode CPU ms/token")
        var denseDecode = 0.0
        for (name, weights) in variants {
            let engine = try LlamaEngine(weights: weights, maxContext: prompt.count + decodeTokens + 8, decodeWeights: decodeWeights, cacheSlots: 1)
            var prefillBest = Double.infinity, decodeBest = Double.infinity, decodeCPU = Double.infinity
            for _ in 0..<repeats {
                engine.reset()
                let start = Date()
                var logits = try engine.append(prompt)
                prefillBest = min(prefillBest, Date().timeIntervalSince(start))
                let decodeStart = Date(), cpuStart = CPUTimes.now()
                for _ in 0..<decodeTokens {
                    let next = logits.withUnsafeBufferPointer { Sampler.argmax($0) }
                    logits = try engine.append([next])
                }
                decodeBest = min(decodeBest, Date().timeIntervalSince(decodeStart))
                let cpu = CPUTimes.now() - cpuStart
                // CPU time per token is what a loaded machine distorts least.
                decodeCPU = min(decodeCPU, (cpu.user + cpu.system) / Double(decodeTokens))
            }
            let c = weights.config
            let linear = c.layerCount * (2 * c.dim * c.dim + 2 * c.kvDim * c.dim + 3 * c.dim * c.hiddenDim) + c.vocabSize * c.dim
            let bytesPerWeight: Double = decodeWeights == .quantized ? 34.0 / 32 : (decodeWeights == .bf16 ? 2 : 4)
            let decode = Double(decodeTokens) / decodeBest
            if name == "dense" { denseDecode = decode }
            print(String(format: "%@  %6d  %9.1f  %7.0f  %16.0f  %13.1f  %12.1f (%.2fx)  %19.2f", name.padding(toLength: 20, withPad: " ", startingAt: 0),
                         c.hiddenDim, Double(c.parameterCount) / 1e6, Double(c.parameterCount) * 4 / 1e6,
                         Double(linear) * bytesPerWeight / 1e6, Double(prompt.count) / prefillBest, decode, decode / denseDecode, 1000 * decodeCPU))
        }
        nmProduct()
        print("load average after: \(EngineBench.loadAverage)")
    }

    /// FFN-sized matrix-vector products (1536×576) over 16 different matrices, 57 MB dense, more than the
    /// L3 cache, as in decoding: dense fp32 sgemv against the 2:4 layout (`TwoFourMatrix`, 2.25 bytes per dense
    /// weight), both on one thread.
    func nmProduct() {
        let rows = 1536, columns = 576, count = 16, reps = 20
        BLASInfo.setThreads(1)
        defer { BLASInfo.setThreads(threads) }
        var rng = SplitMix64(seed: 1)
        let dense = (0..<count).map { _ in (0..<rows * columns).map { _ in Float.random(in: -1...1, using: &rng) } }
        let sparse = dense.map { TwoFourMatrix($0, rows: rows, columns: columns) }
        let x = (0..<columns).map { _ in Float.random(in: -1...1, using: &rng) }
        var y = [Float](repeating: 0, count: rows)
        var best = (dense: Double.infinity, sparse: Double.infinity)
        for _ in 0..<3 {
            var start = Date()
            for _ in 0..<reps { for w in dense { y.withUnsafeMutableBufferPointer { Matmul.gemv($0.baseAddress!, w, x, n: rows, k: columns, beta: 0) } } }
            best.dense = min(best.dense, Date().timeIntervalSince(start) / Double(reps * count))
            start = Date()
            for _ in 0..<reps {
                for m in sparse { x.withUnsafeBufferPointer { xs in y.withUnsafeMutableBufferPointer { m.multiply(xs.baseAddress!, into: $0.baseAddress!) } } }
            }
            best.sparse = min(best.sparse, Date().timeIntervalSince(start) / Double(reps * count))
        }
        print(String(format: "2:4 GEMV 1536×576 (16 matrices, one thread): dense fp32 sgemv %.1f µs (%.0f kB each), 2:4 %.1f µs (%.0f kB each); 2:4 speed-up %.2fx",
                     best.dense * 1e6, Double(rows * columns * 4) / 1e3, best.sparse * 1e6, Double(sparse[0].byteCount) / 1e3, best.dense / best.sparse))
    }
}
