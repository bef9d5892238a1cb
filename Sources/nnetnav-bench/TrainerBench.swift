import ArgumentParser
import Foundation
import Kernels
import LlamaModel
import Trainer

extension TrainingPrecision: ExpressibleByArgument {}

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
        prints trainer.md's recorded PyTorch figure and says so. With --memory-sweep 1024,2048,4096,8192 it \
        runs one step per row length, each in a fresh process, and prints the estimate next to the measured \
        peak resident memory (getrusage), so the growth per 1k tokens can be read off.
        """)

    @Option(help: "Model shape: 'small' (L6 C384 V8192) or 'smollm2' (SmolLM2-135M).") var shape = "small"
    @Option(help: "Sequences per step.") var batch = 16
    @Option(help: "Tokens per sequence.") var seq = 128
    @Option(help: "Timed steps (median reported).") var steps = 5
    @Option(help: "OpenBLAS threads (and PyTorch threads).") var threads = 2
    @Flag(help: "Recompute block activations in the backward.") var recompute = false
    @Flag(help: "Train LoRA adapters (rank 8, attention projections) instead of all weights.") var lora = false
    @Option(help: "What the step stores in bf16: 'bf16' (saved activations; LoRA's frozen base) or 'fp32' (nothing).")
    var precision: TrainingPrecision = .fp32
    @Option(help: "Comma-separated row lengths: one step each in a fresh process, peak memory measured.") var memorySweep: String?
    @Flag(help: .hidden) var reportPeak = false
    @Option(help: "Python interpreter with torch installed, for the side-by-side yardstick.") var torchPython: String?
    @OptionGroup var gemm: GEMMKernelOption

    func run() async throws {
        BLASInfo.setThreads(threads)
        gemm.apply()
        if let sweep = memorySweep { return try runMemorySweep(sweep) }
        let config: LlamaConfig
        switch shape {
        case "small":
            config = LlamaConfig(vocabSize: 8192, dim: 384, hiddenDim: 1024, layerCount: 6, headCount: 6, kvHeadCount: 6,
                                 contextLength: max(seq, 512))
        case "smollm2":
            var c = LlamaConfig.smolLM2_135M
            c.contextLength = max(c.contextLength, seq)
            config = c
        default: throw ValidationError("--shape must be 'small' or 'smollm2'")
        }
        let env = ProcessInfo.processInfo.environment
        if !reportPeak { print("CPU: \(Self.cpuDescription)") }
        print("GEMM \(Matmul.kernel.description), \(BLASInfo.threads) threads (OPENBLAS_CORETYPE \(env["OPENBLAS_CORETYPE"].map { "= \($0)" } ?? "unset"))")
        let peak = reportPeak ? 0 : measurePeak()
        if !reportPeak { print(String(format: "sgemm peak (2048×2048×2048, best of 5): %.0f GFLOP/s", peak)) }

        var rng = TrainingRNG(seed: 1)
        let model = makeModel(config, rng: &rng)
        let estimate = model.memoryEstimate(batch: batch, seq: seq, recompute: recompute)
        let n = batch * seq
        let tokens = (0..<n).map { _ in Int32(rng.below(config.vocabSize)) }
        let targets = (0..<n).map { _ in Int32(rng.below(config.vocabSize)) }
        let tb = TokenBatch(batch: batch, seq: seq, tokens: tokens, targets: targets)
        let optimizer = AdamW(count: model.trainable.values.count)
        var settings = OptimizerSettings()
        settings.learningRate = 1e-4

        var times: [Double] = [], cpuTimes: [Double] = [], gemmTimes: [Double] = [], gemmFlops: [Double] = []
        if reportPeak {
            // One step, then the process's peak resident size: what the memory sweep reads.
            let t0 = Date()
            model.zeroGradients()
            model.step(tb, gradientScale: 1 / Float(n))
            optimizer.update(params: model.trainable.values, grads: model.trainable.gradients, lr: settings.learningRate, settings: settings)
            let seconds = Date().timeIntervalSince(t0)
            // VmHWM: the process's peak resident set, in kB.
            let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
            // "VmHWM:\t 3316444 kB": a tab, then the number padded to 8 columns, so from 8 digits
            // (about 9.5 GiB) on there is no space before it; split on any whitespace.
            let hwm = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
                .flatMap { $0.split(whereSeparator: \.isWhitespace).dropFirst().first }.flatMap { Int($0) } ?? 0
            print("{\"peak_rss\": \(hwm * 1024), \"estimate\": \(estimate.total), \"seconds\": \(seconds)}")
            return
        }
        for i in 0...steps {
            GEMMClock.reset()
            GEMMClock.enabled = true
            let t0 = Date(), c0 = Self.processCPUSeconds()
            model.zeroGradients()
            model.step(tb, gradientScale: 1 / Float(n))
            optimizer.update(params: model.trainable.values, grads: model.trainable.gradients, lr: settings.learningRate, settings: settings)
            let dt = Date().timeIntervalSince(t0)
            GEMMClock.enabled = false
            if i > 0 { times.append(dt); cpuTimes.append(Self.processCPUSeconds() - c0); gemmTimes.append(GEMMClock.seconds); gemmFlops.append(GEMMClock.flops) }
        }
        let order = times.indices.sorted { times[$0] < times[$1] }
        let mid = order[order.count / 2]
        let ms = times[mid] * 1000
        let tps = Double(n) / times[mid]
        let achieved = gemmFlops[mid] / times[mid] / 1e9
        print(String(format: "model L%d C%d H%d/%d F%d V%d (%.1fM params), batch %d × %d, recompute %@%@",
                     config.layerCount, config.dim, config.headCount, config.kvHeadCount, config.hiddenDim, config.vocabSize,
                     Double(config.parameterCount) / 1e6, batch, seq, recompute ? "on" : "off", lora ? ", LoRA" : ""))
        print("memory estimate: \(estimate)")
        let cpuMs = cpuTimes.sorted()[cpuTimes.count / 2] * 1000
        print(String(format: "nnetnav  %@: %7.0f ms/step  %6.0f tokens/s   GEMM %.0f%% of step, %.0f GFLOP/s over the step = %.0f%% of sgemm peak",
                     precision.rawValue, ms, tps, 100 * gemmTimes[mid] / times[mid], achieved, 100 * achieved / peak))
        // On a shared machine wall time depends on the neighbours; CPU time per step much less so.
        print(String(format: "nnetnav  CPU time: %7.0f ms/step  %6.0f tokens per CPU-second", cpuMs, Double(n) / (cpuMs / 1000)))

        if let python = torchPython {
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("scripts/bench/pytorch_train_step.py")
            let args = ["--layers", config.layerCount, "--dim", config.dim, "--heads", config.headCount, "--kv-heads", config.kvHeadCount,
                        "--hidden", config.hiddenDim, "--vocab", config.vocabSize, "--batch", batch, "--seq", seq,
                        "--threads", threads, "--steps", steps].map { "\($0)" } + (lora ? ["--lora"] : [])
            let out = try EngineBench.runProcess(python, [script.path] + args)
            guard let line = out.split(separator: "\n").last,
                  let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let tms = json["ms_per_step"] as? Double else {
                throw ValidationError("could not read the PyTorch result: \(out)")
            }
            let ttps = Double(n) / (tms / 1000)
            print(String(format: "PyTorch  fp32: %7.0f ms/step  %6.0f tokens/s   (torch %@, %@, measured now)", tms, ttps,
                         "\(json["torch"] ?? "?")", lora ? "the same LoRA adapters" : "full fine-tuning"))
            print(String(format: "speed-up over PyTorch fp32: %.2f×", tps / ttps))
            if let tcpu = json["cpu_ms_per_step"] as? Double {
                print(String(format: "PyTorch  CPU time: %7.0f ms/step  %6.0f tokens per CPU-second; nnetnav uses %.2f× less CPU per token",
                             tcpu, Double(n) / (tcpu / 1000), tcpu / cpuMs))
            }
        } else if shape == "small", batch == 16, seq == 128, threads == 2 {
            print("PyTorch  fp32:    1222 ms/step    1675 tokens/s   (recorded in trainer.md, not measured in this run; pass --torch-python to measure)")
            print(String(format: "speed-up over the recorded PyTorch fp32 figure: %.2f×", tps / 1675))
        } else {
            print("PyTorch: no recorded figure for this shape; pass --torch-python PATH to measure it")
        }
    }

    /// A randomly initialised model; the fp32 buffer it starts from is gone when this returns (a bf16
    /// LoRA model keeps only its own bf16 copy), so the peak memory measured is the run's own.
    private func makeModel(_ config: LlamaConfig, rng: inout TrainingRNG) -> TrainableLlama {
        let layout = ParameterLayout(config: config)
        let initial = FloatBuffer(count: layout.total)
        layout.initialize(initial, rng: &rng)
        let model = TrainableLlama(config: config, parameters: initial, lora: lora ? LoRAConfig() : nil, recompute: recompute,
                                   precision: precision)
        if let adapters = model.adapters { model.loraLayout!.initialize(adapters, rng: &rng) }
        return model
    }

    /// One step per row length, each in a child process (peak RSS is per process), batch 1.
    private func runMemorySweep(_ list: String) throws {
        let lengths = list.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !lengths.isEmpty, lengths.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--memory-sweep takes comma-separated positive row lengths, e.g. 1024,2048,4096,8192")
        }
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        print("CPU: \(Self.cpuDescription)")
        print("memory per row length, shape \(shape), batch 1, \(lora ? "LoRA" : "full fine-tuning"), recompute \(recompute ? "on" : "off"), precision \(precision), one step each:")
        print("  tokens   estimate   peak RSS   step time   tokens/s   RSS growth per 1k tokens")
        var previous: (tokens: Int, rss: Double)?
        for t in lengths.sorted() {
            var args = ["trainer", "--report-peak", "--shape", shape, "--batch", "1", "--seq", "\(t)", "--threads", "\(threads)",
                        "--precision", precision.rawValue]
            if lora { args.append("--lora") }
            if recompute { args.append("--recompute") }
            let out = try EngineBench.runProcess(me, args)
            guard let line = out.split(separator: "\n").last,
                  let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let rss = json["peak_rss"] as? Double ?? (json["peak_rss"] as? Int).map(Double.init),
                  let est = json["estimate"] as? Double ?? (json["estimate"] as? Int).map(Double.init),
                  let seconds = json["seconds"] as? Double else {
                throw ValidationError("could not read the child's result: \(out)")
            }
            guard rss > 0 else { throw ValidationError("the child at \(t) tokens reported no peak memory: \(line)") }
            let gib = Double(1 << 30)
            let growth = previous.map { String(format: "%.3f GiB", (rss - $0.rss) / gib / (Double(t - $0.tokens) / 1024)) } ?? "—"
            print(String(format: "  %6d   %6.2f GiB  %6.2f GiB   %7.1f s   %8.0f   %@", t, est / gib, rss / gib, seconds, Double(t) / seconds, growth))
            previous = (t, rss)
        }
    }

    static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// Model name and the vector extensions that decide which kernels run.
    static var cpuDescription: String {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        let lines = info.split(separator: "\n")
        let name = lines.first { $0.hasPrefix("model name") }?.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "unknown"
        let flags = Set(lines.first { $0.hasPrefix("flags") }?.split(separator: ":").last?.split(separator: " ").map(String.init) ?? [])
        let features = ["avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni"].filter { flags.contains($0) }
        return "\(name), \(ProcessInfo.processInfo.activeProcessorCount) cores, \(features.joined(separator: " "))"
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
}
