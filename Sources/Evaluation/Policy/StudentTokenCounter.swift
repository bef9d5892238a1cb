import Foundation
import LlamaModel
import NNetnavSupport
import Pipeline

extension TokenCounter {
    /// Exact counts with the student's tokenizer, read from a GGUF file (the embedded model or the
    /// fine-tuning base): the same tokens the trainer packs, so an exported row that fits here fits there.
    public static func tokenizer(of ggufFile: URL) throws -> TokenCounter {
        let tokenizer = try BPETokenizer(gguf: try GGUFFile(url: ggufFile))
        return TokenCounter(name: "tokenizer of \(ggufFile.lastPathComponent)") {
            tokenizer.encode($0, allowSpecial: false).count
        }
    }
}

/// The `--tokenizer` option of `export` and `eval`: a GGUF path, `bytes`, or nil for the embedded model.
public enum StudentTokens {
    public static func counter(_ option: String?, layout: ProjectLayout = .current) throws -> TokenCounter {
        switch option {
        case "bytes": return .utf8Bytes
        case nil: return try .tokenizer(of: layout.defaultModelFile)
        case let path?: return try .tokenizer(of: URL(fileURLWithPath: path))
        }
    }
}
