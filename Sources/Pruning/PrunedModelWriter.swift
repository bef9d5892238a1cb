import Foundation
import LlamaModel

/// Writes a pruned model where the engine and the trainer load it: `model.gguf` (fp32 weights plus the
/// source model's tokenizer and chat template, for `local:DIR/model.gguf`) and `model.safetensors`
/// (Hugging Face names, config in its metadata, for `nnetnav train --model`), the same two files the
/// trainer writes after a run.
public enum PrunedModelWriter {
    /// `weightType` encodes the GGUF's 2-D weights: fp32 keeps zeroed weights exactly zero; `q4_1` (the embedded
    /// model's own encoding) makes a structurally pruned model read fewer bytes per decoded token than the dense file.
    public static func write(_ weights: LlamaWeights, tokenizerSource: GGUFFile?, to directory: URL, weightType: GGMLType = .f32) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var extra: [(String, GGUFValue)] = []
        if let source = tokenizerSource {
            extra = try BPETokenizer(gguf: source).ggufMetadata
            if let t = source["tokenizer.chat_template"] { extra.append(("tokenizer.chat_template", t)) }
        }
        try weights.write(gguf: directory.appendingPathComponent("model.gguf"), weightType: weightType, extraMetadata: extra)
        try weights.write(safetensors: directory.appendingPathComponent("model.safetensors"))
    }

    /// Loads a GGUF or safetensors model by extension.
    public static func load(_ url: URL) throws -> LlamaWeights {
        url.pathExtension == "safetensors" ? try LlamaWeights.load(safetensors: url) : try LlamaWeights.load(gguf: url)
    }
}
