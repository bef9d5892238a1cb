import ArgumentParser
import Foundation
import Kernels
import LlamaModel
import NNetnavSupport

extension LlamaEngine.DecodeWeights: ExpressibleByArgument {}

/// Speed of the in-process engine on the embedded model next to llama.cpp on the same GGUF and
/// the same prompt tokens, measured in the same run: prefill and decode tokens/s, prefill's
/// fraction of the sgemm peak, CPU time split between user and kernel, and the machine's load.
struct EngineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Prefill and decode tokens/s of the local engine next to llama.cpp (SmolLM2-135M by default), and of its Qwen2/Qwen3 variants.",
        discussion: """
        Prefill runs a prompt of --prompt-tokens tokens as one batch; decode then generates \
        --decode-tokens tokens greedily, one at a time against the KV cache. Each figure is the best \
        of --repeats runs (the machine may be shared: the load average is printed before and after). \
        The yardstick is llama.cpp through llama-cpp-python (scripts/bench/llamacpp_engine.py), run on \
        the same file, prompt tokens and thread count right after nnetnav; it is optional \
        (CMAKE_ARGS=-DGGML_NATIVE=ON pip install llama-cpp-python) and the bench says so when it is missing. \
        --model also takes a Qwen2/Qwen2.5/Qwen3 GGUF. Then, unless --no-families, the same prompt runs \
        through Llama, Qwen2 and Qwen3 models with random weights in SmolLM2-135M's shapes (no Qwen \
        file ships with the project), which shows what each family's extras cost at equal size.
        """
    )

    @Option(help: "GGUF model file (default: the embedded SmolLM2-135M-Instruct).")
    var model: String?
    @Option(help: "Prompt length for the prefill measurement.")
    var promptTokens = 512
    @Option(help: "Tokens generated in the decode measurement.")
    var decodeTokens = 128
    @Option(help: "Threads (ours; OpenBLAS stays single-threaded). Also passed to llama.cpp.")
    var threads = 2
    @Option(help: "Repetitions; the best is reported.")
    var repeats = 3
    @Option(help: "Weights read by decoding: quantized (the file's blocks), bf16 or fp32.")
    var decodeWeights: LlamaEngine.DecodeWeights = .quantized
    @Option(help: "Instruction-set level of the quantized decode kernels (scalar, avx2, avx512vnni; default: the best this CPU has), to show on one machine what an older CPU's path does.")
    var kernelLevel: KernelLevel?
    @OptionGroup var gemm: GEMMKernelOption
    @Option(help: "Python interpreter with llama-cpp-python (default: .venv-llamacpp/bin/python in the checkout, then python3).")
    var llamaPython: String?
    @Flag(help: "Skip the llama.cpp yardstick.")
    var noYardstick = false
    @Flag(help: "Skip the Llama/Qwen2/Qwen3 comparison on random-weight models.")
    var noFamilies = false

    func validate() throws {
        if let kernelLevel, !kernelLevel.isSupported {
            throw ValidationError("--kernel-level \(kernelLevel): this CPU cannot run it (it has \(KernelLevel.cpuFeatures))")
        }
    }

    func run() async throws {
        BLASInfo.setThreads(threads)
        let level = kernelLevel ?? .best
        gemm.apply()
        let url = model.map { URL(fileURLWithPath: $0) } ?? ProjectLayout.current.defaultModelFile
        let env = ProcessInfo.processInfo.environment
        print("CPU: \(Self.cpuModel), features seen by the dispatch: \(KernelLevel.cpuFeatures)")
        print("quantized kernels: \(level) (\(kernelLevel == nil ? "picked by cpuid" : "--kernel-level; cpuid's best is \(KernelLevel.best)")); OpenBLAS \(BLASInfo.coreName) at \(BLASInfo.openBLASThreads) thread, "
              + "our splits \(BLASInfo.threads) threads; prefill GEMM \(Matmul.kernel.description); OPENBLAS_CORETYPE=\(env["OPENBLAS_CORETYPE"] ?? "(unset)")")
        print("load average before: \(Self.loadAverage)")

        let peak = sgemmPeak()
        print(String(format: "sgemm peak (2048³ split over %d threads, best of 3): %.1f GFLOP/s", threads, peak))

        let loadStart = Date()
        let file = try GGUFFile(url: url)
        let tokenizer = try BPETokenizer(gguf: file)
        let engine = try LlamaEngine(gguf: file, maxContext: promptTokens + decodeTokens + 8, decodeWeights: decodeWeights)
        engine.kernelLevel = level
        let load = Date().timeIntervalSince(loadStart)
        let c = engine.config
        print(String(format: "load %@: %.2f s (%d layers, dim %d, %.1fM parameters; prefill on fp32 copies, decode on %@ weights)",
                     url.lastPathComponent, load, c.layerCount, c.dim, Double(c.parameterCount) / 1e6, decodeWeights.rawValue))

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
        let perLayerLinear = Double(c.dim * c.queryDim * 2 + c.kvDim * c.dim * 2 + 3 * c.dim * c.hiddenDim)
        let attention = 2 * 2 * Double(c.queryDim) * T * (T + 1) / 2
        let flops = Double(c.layerCount) * (2 * T * perLayerLinear + attention) + 2 * Double(c.vocabSize * c.dim)
        let prefillRate = flops / prefillBest / 1e9

        var decodeBest = Double.infinity
        var generated: [Int] = []
        var cpu = CPUTimes.zero
        for _ in 0..<repeats {
            engine.truncate(to: prompt.count)
            var logits = try engine.prefill(prompt)
            var tokens: [Int] = []
            let before = CPUTimes.now()
            let start = Date()
            for _ in 0..<decodeTokens {
                let next = logits.withUnsafeBufferPointer { Sampler.argmax($0) }
                tokens.append(next)
                logits = try engine.append([next])
            }
            let elapsed = Date().timeIntervalSince(start)
            if elapsed < decodeBest { decodeBest = elapsed; cpu = CPUTimes.now() - before }
            generated = tokens
        }
        let ours = (prefill: T / prefillBest, decode: Double(decodeTokens) / decodeBest)
        print(String(format: "nnetnav prefill %d tokens: %.3f s, %.1f GFLOP/s = %.0f%% of the sgemm peak",
                     prompt.count, prefillBest, prefillRate, 100 * prefillRate / peak))
        print(String(format: "nnetnav decode %d tokens: %.3f s; CPU during it %.2f cores (user %.2f s, kernel %.2f s = %.1f%% of CPU time)",
                     decodeTokens, decodeBest, (cpu.user + cpu.system) / decodeBest, cpu.user, cpu.system,
                     100 * cpu.system / max(cpu.user + cpu.system, 1e-9)))

        var yardstick: (prefill: Double, decode: Double, label: String)?
        if noYardstick {
            print("llama.cpp yardstick: skipped (--no-yardstick)")
        } else {
            yardstick = try llamaCpp(model: url, prompt: prompt, ourTokens: generated)
        }
        print("")
        print("                            prefill \(prompt.count) tok   decode \(decodeTokens) tok")
        print(String(format: "nnetnav (%@, %@)   %8.1f tok/s   %8.1f tok/s", "\(level)", decodeWeights.rawValue, ours.prefill, ours.decode))
        if let y = yardstick {
            print(String(format: "%@   %8.1f tok/s   %8.1f tok/s", y.label.padding(toLength: 26, withPad: " ", startingAt: 0), y.prefill, y.decode))
            print(String(format: "nnetnav / llama.cpp          %8.2fx        %8.2fx", ours.prefill / y.prefill, ours.decode / y.decode))
        }
        if !noFamilies {
            print("")
            print("model families, random weights in SmolLM2-135M shapes (\(decodeWeights.rawValue) decode weights):")
            for f in try familySpeeds(prompt: prompt) {
                print(String(format: "%@   %8.1f tok/s   %8.1f tok/s", f.label.padding(toLength: 40, withPad: " ", startingAt: 0), f.prefill, f.decode))
            }
        }
        print("load average after: \(Self.loadAverage)")
    }

    /// Runs scripts/bench/llamacpp_engine.py; prints why when llama.cpp is unavailable.
    private func llamaCpp(model: URL, prompt: [Int], ourTokens: [Int]) throws -> (prefill: Double, decode: Double, label: String)? {
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = checkout.appendingPathComponent("scripts/bench/llamacpp_engine.py")
        let candidates = llamaPython.map { [$0] } ?? [
            ProjectLayout.current.root.appendingPathComponent(".venv-llamacpp/bin/python").path,
            checkout.appendingPathComponent(".venv-llamacpp/bin/python").path,
            "/usr/bin/env",
        ]
        guard let python = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            print("llama.cpp yardstick: NOT AVAILABLE (no Python interpreter found; pass --llama-python)")
            return nil
        }
        let args = (python == "/usr/bin/env" ? ["python3"] : []) + [script.path, "--model", model.path,
                    "--tokens", prompt.map(String.init).joined(separator: ","), "--decode", "\(decodeTokens)",
                    "--threads", "\(threads)", "--repeats", "\(repeats)"]
        let out: String
        do { out = try Self.runProcess(python, args) } catch {
            print("llama.cpp yardstick: NOT AVAILABLE (\(error))")
            return nil
        }
        guard let line = out.split(separator: "\n").last,
              let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            print("llama.cpp yardstick: NOT AVAILABLE (unreadable output: \(out.prefix(300)))")
            return nil
        }
        if let error = json["error"] as? String {
            print("llama.cpp yardstick: NOT AVAILABLE — \(error); install it with CMAKE_ARGS=-DGGML_NATIVE=ON pip install llama-cpp-python")
            return nil
        }
        guard let p = json["prefill_seconds"] as? Double, let d = json["decode_seconds"] as? Double,
              let pt = json["prompt_tokens"] as? Int, let dt = json["decode_tokens"] as? Int else {
            print("llama.cpp yardstick: NOT AVAILABLE (missing fields in \(line))")
            return nil
        }
        let version = json["version"] as? String ?? "?"
        print("llama.cpp \(version) (llama-cpp-python, \(threads) threads): \(json["system_info"] as? String ?? "")")
        if let theirs = json["generated"] as? [Int] {
            let same = zip(theirs, ourTokens).prefix { $0 == $1 }.count
            print("greedy tokens identical to llama.cpp's for the first \(same) of \(min(theirs.count, ourTokens.count))")
        }
        return (Double(pt) / p, Double(dt) / d, "llama.cpp \(version)")
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

    static var loadAverage: String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "unknown").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static var cpuModel: String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let name = info.split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":").last
        return "\(name.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"), \(ProcessInfo.processInfo.activeProcessorCount) cores"
    }

    static func runProcess(_ executable: String, _ arguments: [String]) throws -> String {
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

/// User and kernel CPU seconds of this process (all threads), from getrusage.
struct CPUTimes {
    var user: Double, system: Double
    static let zero = CPUTimes(user: 0, system: 0)
    static func now() -> CPUTimes {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return CPUTimes(user: seconds(usage.ru_utime), system: seconds(usage.ru_stime))
    }
    static func - (a: CPUTimes, b: CPUTimes) -> CPUTimes { CPUTimes(user: a.user - b.user, system: a.system - b.system) }
}

extension KernelLevel: ExpressibleByArgument {
    public init?(argument: String) {
        guard let level = Self.allCases.first(where: { $0.description == argument }) else { return nil }
        self = level
    }
    public static var allValueStrings: [String] { allCases.map(\.description) }
}
