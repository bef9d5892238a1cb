import ArgumentParser
import Foundation
import LanguageModels
import LlamaModel
import NNetnavSupport

/// Options shared by `nnetnav chat` and `nnetnav generate` for the in-process model.
struct LocalModelOptions: ParsableArguments {
    @Option(name: .long, help: "GGUF model file (default: models/SmolLM2-135M-Instruct.Q4_1.gguf).")
    var model: String?
    @Option(help: "Sampling temperature; 0 is greedy and deterministic.")
    var temperature: Double = 0
    @Option(help: "Nucleus sampling: keep the most likely tokens up to this total probability.")
    var topP: Double = 0.9
    @Option(help: "Most tokens to generate per answer.")
    var maxTokens = 256
    @Option(help: "Random seed for sampling.")
    var seed: UInt64?
    @Option(help: "Stop generating when this text appears (repeatable).")
    var stop: [String] = []

    var options: GenerationOptions {
        GenerationOptions(temperature: temperature, topP: topP, maxTokens: maxTokens, stop: stop, seed: seed)
    }

    func load() throws -> LocalChatModel {
        let url = model.map { URL(fileURLWithPath: $0) } ?? ProjectLayout.current.defaultModelFile
        let start = Date()
        let loaded = try LocalChatModel(modelFile: url)
        FileHandle.standardError.write(Data(String(format: "loaded %@ in %.1f s\n", url.lastPathComponent,
                                                   Date().timeIntervalSince(start)).utf8))
        return loaded
    }
}

struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate a completion from the in-process language model.",
        discussion: """
        The prompt is sent as one user message in the model's chat format (ChatML) and the answer \
        streams to standard output. With --choice, nothing is generated: each choice is scored as \
        the answer and the most likely one printed, with every choice's log-probability on \
        standard error. With --raw, the prompt is continued as plain text without the chat format.

        Examples:
          nnetnav generate "What is the capital of France?"
          nnetnav generate --choice yes --choice no "Is Paris in France? Answer yes or no."
          nnetnav generate --raw --max-tokens 40 "def fibonacci(n):"
        """
    )

    @Argument(help: "The prompt text; '-' reads it from standard input.")
    var prompt: String
    @Option(name: .long, help: "System message placed before the prompt.")
    var system: String?
    @Option(name: .customLong("choice"), help: "A permitted answer (repeatable); the most likely is printed.")
    var choices: [String] = []
    @Flag(help: "Continue the prompt as plain text, without the chat template.")
    var raw = false
    @OptionGroup var modelOptions: LocalModelOptions

    func run() async throws {
        let text = prompt == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : prompt
        let model = try modelOptions.load()
        let start = Date()
        if raw {
            guard choices.isEmpty else { throw ValidationError("--choice needs the chat format; drop --raw") }
            let ids = model.tokenizer.encode(text)
            let generation = try model.engine.generate(prompt: ids, options: modelOptions.options, tokenizer: model.tokenizer,
                                                       stopTokens: model.stopTokens) { piece in
                FileHandle.standardOutput.write(Data(piece.utf8))
            }
            print()
            summary(prompt: ids.count, completion: generation.tokens.count, finish: generation.finishReason, since: start)
            return
        }
        var messages: [ChatMessage] = []
        if let system { messages.append(.system(system)) }
        messages.append(.user(text))
        let request = ChatRequest(messages: messages, options: modelOptions.options, choices: choices.isEmpty ? nil : choices)
        let response = try await model.complete(request) { piece in
            if choices.isEmpty { FileHandle.standardOutput.write(Data(piece.utf8)) }
        }
        if let scores = response.choiceLogProbs {
            print(response.text)
            for (choice, score) in zip(choices, scores) {
                FileHandle.standardError.write(Data(String(format: "  %8.3f  %@\n", score, choice).utf8))
            }
        } else {
            print()
        }
        summary(prompt: response.usage.promptTokens, completion: response.usage.completionTokens,
                finish: response.finishReason, since: start)
    }

    private func summary(prompt: Int, completion: Int, finish: String, since start: Date) {
        let seconds = Date().timeIntervalSince(start)
        FileHandle.standardError.write(Data(String(format: "%d prompt + %d completion tokens in %.2f s (finish: %@)\n",
                                                   prompt, completion, seconds, finish).utf8))
    }
}
