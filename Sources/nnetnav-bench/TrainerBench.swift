import ArgumentParser
import Foundation
import Kernels
import LlamaModel
import Trainer

/// Training tokens/s of the Swift trainer next to PyTorch CPU fp32 on the same model and batch.
struct TrainerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trainer",
        abstract: "Training step speed (fwd + bwd + AdamW) against PyTorch fp32 on the same model and batch.",
        discussion: """
        Default shape: L6 C384 H6 V8192, batch 16 × 128 tokens (the trainer.md yardstick); \
        --shape smollm2 uses SmolLM2-135M's shape with --batch 4. Prints the OpenBLAS kernel, the \
        measured sgemm peak, the GEMM share of the step and the fraction of peak reached. With \
        --torch-python it runs scripts/bench/pytorch_train_step.py in that interpreter; otherwise it \
        prints trainer.md's recorded PyTorch figure and says so.
        """)

    @Option(help: "Model shape: 'small' (L6 C384 V8192) or 'smollm2' (SmolLM2-135M).") var shape = "small"
    @Option(help: "Sequences per step.") var batch = 16
    @Option(help: "Tokens per sequence.") var seq = 128
    @Option(help: "Timed steps (median reported).") var steps = 5
    @Option(help: "OpenBLAS threads (and PyTorch threads).") var threads = 2
    @Flag(help: "Recompute block activations in the backward.") var recompute = false
    @Option(help: "Python interpreter with torch installed, for the side-by-side yardstick.") var torchPython: String?

    func run() async throws {
        BLASInfo.setThreads(threads)
        let config: LlamaConfig
        switch shape {
        case "small":
            config = LlamaConfig(vocabSize: 8192, dim: 384, hiddenDim: 1024, layerCount: 6, headCount: 6, kvHeadCount: 6,
                                 contextLength: max(seq, 512))
        case "smollm2": config = .smolLM2_135M
        default: throw ValidationError("--shape must be 'small' or 'smollm2'")
        }
        let env = ProcessInfo.processInfo.environment
        print("OpenBLAS \(BLASInfo.coreName) kernel, \(BLASInfo.threads) threads (OPENBLAS_CORETYPE \(env["OPENBLAS_CORETYPE"].map { "= \($0)" } ?? "unset"))")
        let peak = measurePeak()
        print(String(format: "sgemm peak (2048×2048×2048, best of 5): %.0f GFLOP/s", peak))

        let model = TrainableLlama(config: config, recompute: recompute)
        var rng = TrainingRNG(seed: 1)
        model.layout.initialize(model.parameters, rng: &rng)
        let n = batch * seq
        let tokens = (0..<n).map { _ in Int32(rng.below(config.vocabSize)) }
        let targets = (0..<n).map { _ in Int32(rng.below(config.vocabSize)) }
        let tb = TokenBatch(batch: batch, seq: seq, tokens: tokens, targets: targets)
        let optimizer = AdamW(count: model.parameters.count)
        var settings = OptimizerSettings()
        settings.learningRate = 1e-4

        var times: [Double] = [], gemmTimes: [Double] = [], gemmFlops: [Double] = []
        for i in 0...steps {
            GEMMClock.reset()
            GEMMClock.enabled = true
            let t0 = Date()
            model.zeroGradients()
            model.step(tb, gradientScale: 1 / Float(n))
            optimizer.update(params: model.parameters, grads: model.gradients!, lr: settings.learningRate, settings: settings)
            let dt = Date().timeIntervalSince(t0)
            GEMMClock.enabled = false
            if i > 0 { times.append(dt); gemmTimes.append(GEMMClock.seconds); gemmFlops.append(GEMMClock.flops) }
        }
        let order = times.indices.sorted { times[$0] < times[$1] }
        let mid = order[order.count / 2]
        let ms = times[mid] * 1000
        let tps = Double(n) / times[mid]
        let achieved = gemmFlops[mid] / times[mid] / 1e9
        print(String(format: "model L%d C%d H%d/%d F%d V%d (%.1fM params), batch %d × %d, recompute %@",
                     config.layerCount, config.dim, config.headCount, config.kvHeadCount, config.hiddenDim, config.vocabSize,
                     Double(config.parameterCount) / 1e6, batch, seq, recompute ? "on" : "off"))
        print(String(format: "nnetnav  fp32: %7.0f ms/step  %6.0f tokens/s   GEMM %.0f%% of step, %.0f GFLOP/s over the step = %.0f%% of sgemm peak",
                     ms, tps, 100 * gemmTimes[mid] / times[mid], achieved, 100 * achieved / peak))

        if let python = torchPython {
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("scripts/bench/pytorch_train_step.py")
            let args = ["--layers", config.layerCount, "--dim", config.dim, "--heads", config.headCount, "--kv-heads", config.kvHeadCount,
                        "--hidden", config.hiddenDim, "--vocab", config.vocabSize, "--batch", batch, "--seq", seq,
                        "--threads", threads, "--steps", steps].map { "\($0)" }
            let out = try runProcess(python, [script.path] + args)
            guard let line = out.split(separator: "\n").last,
                  let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let tms = json["ms_per_step"] as? Double else {
                throw ValidationError("could not read the PyTorch result: \(out)")
            }
            let ttps = Double(n) / (tms / 1000)
            print(String(format: "PyTorch  fp32: %7.0f ms/step  %6.0f tokens/s   (torch %@, measured now)", tms, ttps, "\(json["torch"] ?? "?")"))
            print(String(format: "speed-up over PyTorch fp32: %.2f×", tps / ttps))
        } else if shape == "small", batch == 16, seq == 128, threads == 2 {
            print("PyTorch  fp32:    1222 ms/step    1675 tokens/s   (recorded in trainer.md, not measured in this run; pass --torch-python to measure)")
            print(String(format: "speed-up over the recorded PyTorch fp32 figure: %.2f×", tps / 1675))
        } else {
            print("PyTorch: no recorded figure for this shape; pass --torch-python PATH to measure it")
        }
    }

    private func measurePeak() -> Double {
        let s = 2048
        let a = FloatBuffer(count: s * s), b = FloatBuffer(count: s * s), c = FloatBuffer(count: s * s)
        for i in 0..<(s * s) { a[i] = Float(i % 7) * 0.1; b[i] = Float(i % 5) * 0.1 }
        var best = 0.0
        for _ in 0..<5 {
            let t0 = Date()
            Matmul.linear(c.pointer, a.pointer, b.pointer, m: s, n: s, k: s)
            best = max(best, 2 * Double(s * s * s) / Date().timeIntervalSince(t0) / 1e9)
        }
        return best
    }

    private func runProcess(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ValidationError("\(executable) exited with \(process.terminationStatus)") }
        return String(decoding: data, as: UTF8.self)
    }
}
