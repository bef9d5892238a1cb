import ArgumentParser
import Foundation
import Kernels
import LlamaModel
import NNetnavSupport

/// Whether decoding several concurrent episodes' next tokens in one batch would pay with the
/// in-process model on this machine: the time of one forward pass over n new tokens after a
/// cached prompt (what a batched decode step of n episodes costs in weight traffic and matmul
/// work), against n single-token decode steps. If n tokens cost about n times one, batching the
/// episodes of `nnetnav eval --concurrency n` buys nothing and one call at a time is right.
struct DecodeBatchingBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode-batching",
        abstract: "Cost of a forward pass over n new tokens vs n single-token decode steps (in-process model).")

    @Option(help: "GGUF model file (default: the embedded SmolLM2-135M-Instruct).")
    var model: String?
    @Option(help: "Prompt tokens cached before the measured steps (an evaluation step's page).")
    var promptTokens = 400
    @Option(help: "Batch sizes to try.")
    var batches = "1,2,4,8"
    @Option(help: "Repetitions of each measurement.")
    var repeats = 16
    @Option(help: "OpenBLAS threads.")
    var threads = 2
    @Option(help: "Weights single-token steps read: quantized (what the CLI's local model uses), bf16 or fp32. Passes of n ≥ 2 tokens always run the fp32 GEMM path.")
    var decodeWeights: LlamaEngine.DecodeWeights = .quantized

    func run() async throws {
        BLASInfo.setThreads(threads)
        let parsed = batches.split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 }
        // The single-token step is the yardstick of every other size.
        let sizes = Set([1] + parsed).sorted()
        guard !parsed.isEmpty else { throw ValidationError("--batches: positive integers, e.g. 1,2,4") }
        let url = model.map { URL(fileURLWithPath: $0) } ?? ProjectLayout.current.defaultModelFile
        let file = try GGUFFile(url: url)
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first ?? "?"
        print("decode-batching: \(url.lastPathComponent), \(promptTokens)-token prompt, single-token steps on \(decodeWeights.rawValue) "
              + "weights (\(KernelLevel.best) kernels), passes of n ≥ 2 on GEMM \(Matmul.kernel.description), \(BLASInfo.threads) threads, "
              + "\(ProcessInfo.processInfo.activeProcessorCount) cores, load \(load)")
        let engine = try LlamaEngine(gguf: file, maxContext: promptTokens + 64, decodeWeights: decodeWeights, cacheSlots: 1)
        let prompt = (0..<promptTokens).map { 100 + ($0 * 37) % 5000 }
        try engine.append(prompt)
        var single = 0.0
        print("n   ms per pass   ms per token   vs n single-token steps")
        for n in sizes {
            let tokens = (0..<n).map { 200 + $0 * 11 }
            try engine.append(tokens)  // warm-up
            engine.truncate(to: promptTokens)
            let start = Date()
            for _ in 0..<repeats {
                try engine.append(tokens)
                engine.truncate(to: promptTokens)
            }
            let pass = Date().timeIntervalSince(start) / Double(repeats)
            if n == 1 { single = pass }
            let ratio = pass / (single * Double(n))
            print(String(format: "%-3d %11.1f %14.1f %12.2fx", n, pass * 1000, pass * 1000 / Double(n), ratio))
        }
        print("A ratio near 1.00x: batching n episodes' decode costs what n separate steps cost (no gain);"
              + " well below 1: batching would pay.")
    }
}
