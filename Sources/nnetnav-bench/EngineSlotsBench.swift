import ArgumentParser
import Foundation
import Kernels
import LlamaModel
import NNetnavSupport

/// Prefill time of a pipeline-like call mix with one KV cache slot against several: three roles
/// whose prompts each open with their own static prefix take turns, as exploration policy,
/// state-change summarizer and judge do in a crawl.
struct EngineSlotsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine-slots",
        abstract: "Total prefill time of an alternating 3-role call mix with 1 KV cache slot vs several.",
        discussion: """
        Each role's prompt is a static prefix of --prefix-tokens tokens (cut from the role's file in \
        prompts/) followed by --varying-tokens tokens of an observation that changes every call; \
        the roles take turns for --calls calls, and each call also decodes --decode-tokens tokens \
        (not timed) so a slot holds more than the prompt, as after a real generation.
        """
    )

    @Option(help: "GGUF model file (default: the embedded SmolLM2-135M-Instruct).")
    var model: String?
    @Option(help: "Static prefix length of each role's prompt.")
    var prefixTokens = 400
    @Option(help: "Tokens of each prompt that change from call to call.")
    var varyingTokens = 300
    @Option(help: "Calls in the mix; the roles take turns.")
    var calls = 12
    @Option(help: "Tokens decoded after each prompt (not timed).")
    var decodeTokens = 8
    @Option(help: "KV cache slots of the multi-slot run.")
    var slots = 4
    @Option(help: "OpenBLAS threads.")
    var threads = 2

    static let roleFiles = ["exploration_policy", "state_change", "judge"]

    func run() async throws {
        BLASInfo.setThreads(threads)
        let layout = ProjectLayout.current
        let url = model.map { URL(fileURLWithPath: $0) } ?? layout.defaultModelFile
        let env = ProcessInfo.processInfo.environment
        print("OpenBLAS kernel \(BLASInfo.coreName), \(BLASInfo.threads) threads, OPENBLAS_CORETYPE=\(env["OPENBLAS_CORETYPE"] ?? "(unset)")")
        let file = try GGUFFile(url: url)
        let tokenizer = try BPETokenizer(gguf: file)

        let prefixes = try Self.roleFiles.map { name in
            let text = try String(contentsOf: layout.prompts.appendingPathComponent("\(name).txt"), encoding: .utf8)
            return try Self.tokens(tokenizer.encode(text), count: prefixTokens, what: name)
        }
        let mix = try (0..<calls).map { call in
            let observation = (0..<200).map { line in
                "[\(call * 1_000 + line)] link 'Item \(call * 7 + line * 13) of order #\(4_000 + call * 31 + line)' "
            }.joined()
            return prefixes[call % prefixes.count]
                + (try Self.tokens(tokenizer.encode(observation), count: varyingTokens, what: "observation"))
        }
        let context = prefixTokens + varyingTokens + decodeTokens + 8
        print("\(calls) calls, \(prefixes.count) roles taking turns, each prompt \(prefixTokens) static + \(varyingTokens) varying tokens, \(decodeTokens) decoded")

        var totals: [Double] = []
        var mixTokens = 0
        for slotCount in [1, slots] {
            let engine = try LlamaEngine(gguf: file, maxContext: context, decodeWeights: .quantized, cacheSlots: slotCount)
            var prefillTime = 0.0
            var computed = 0
            mixTokens = 0
            for prompt in mix {
                let start = Date()
                var logits = try engine.prefill(prompt)
                prefillTime += Date().timeIntervalSince(start)
                computed += prompt.count - engine.lastPrefillReusedTokens
                mixTokens += prompt.count
                for _ in 0..<decodeTokens {
                    logits = try engine.append([logits.withUnsafeBufferPointer { Sampler.argmax($0) }])
                }
            }
            totals.append(prefillTime)
            print(String(format: "%d slot%@: prefill total %.2f s, %d of %d prompt tokens computed (%.0f tok/s computed)",
                         slotCount, slotCount == 1 ? "" : "s", prefillTime, computed, mixTokens, Double(computed) / prefillTime))
        }
        print(String(format: "speed-up of the prefill total: %.2fx", totals[0] / totals[1]))
    }

    /// Exactly `count` tokens: `tokens` repeated as needed, then cut.
    static func tokens(_ tokens: [Int], count: Int, what: String) throws -> [Int] {
        guard !tokens.isEmpty else { throw ValidationError("\(what) encodes to no tokens") }
        var out: [Int] = []
        while out.count < count { out += tokens }
        return Array(out.prefix(count))
    }
}
