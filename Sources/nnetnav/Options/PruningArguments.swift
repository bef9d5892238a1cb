import ArgumentParser
import Foundation
import LlamaModel
import NNetnavSupport
import Pruning

extension PruningPattern: ExpressibleByArgument {}
extension PruningMethod: ExpressibleByArgument {}

/// The model a pruning command starts from and the tokenizer it reads text with.
struct PruningModelOptions: ParsableArguments {
    @Option(help: "Model: a GGUF or safetensors Llama checkpoint. Default: the embedded SmolLM2-135M-Instruct.")
    var model: String?

    @Option(help: "Tokens per demonstration or calibration segment (longer prompts lose their middle).")
    var seqLen = 512

    @Option(help: "Cores for the BLAS kernels.") var threads = 2

    func validate() throws {
        guard seqLen >= 16 else { throw ValidationError("--seq-len must be at least 16") }
        if let model, !FileManager.default.fileExists(atPath: model) { throw ValidationError("model file not found: \(model)") }
    }

    var modelURL: URL { model.map { URL(fileURLWithPath: $0) } ?? ProjectLayout.current.defaultModelFile }

    /// Weights, plus the GGUF the tokenizer and chat template come from (the model itself, or the embedded model
    /// for safetensors checkpoints).
    func load() throws -> (weights: LlamaWeights, tokenizerFile: GGUFFile, tokenizer: BPETokenizer, template: ChatTemplate) {
        let url = modelURL
        guard FileManager.default.fileExists(atPath: url.path) else { throw ValidationError("model file not found: \(url.path)") }
        let weights = try PrunedModelWriter.load(url)
        let ggufURL = url.pathExtension == "gguf" ? url : ProjectLayout.current.defaultModelFile
        let file = try GGUFFile(url: ggufURL)
        return (weights, file, try BPETokenizer(gguf: file), ChatTemplate(gguf: file))
    }
}

/// A selection budget: `10%` of the pool, a fraction `0.1`, or a row count `50`.
struct BudgetArgument: ExpressibleByArgument {
    enum Value { case fraction(Double), rows(Int) }
    let value: Value
    /// As written on the command line (names a sweep's folder).
    let text: String

    init?(argument: String) {
        text = argument
        if argument.hasSuffix("%"), let p = Double(argument.dropLast()), p > 0, p <= 100 {
            value = .fraction(p / 100)
        } else if let n = Int(argument), n > 0 {
            value = .rows(n)
        } else if let f = Double(argument), f > 0, f <= 1 {
            value = .fraction(f)
        } else {
            return nil
        }
    }

    func rows(pool: Int) -> Int {
        switch value {
        case .fraction(let f): max(1, Int((f * Double(pool)).rounded()))
        case .rows(let n): min(n, pool)
        }
    }
}

func writeJSON<T: Encodable>(_ value: T, to url: URL) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(value).write(to: url)
}
