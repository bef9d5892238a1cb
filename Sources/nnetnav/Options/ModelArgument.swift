import ArgumentParser
import LanguageModels

/// A model named on the command line (`local`, `local:PATH`, `openai:MODEL`, `vllm:MODEL@URL`,
/// `ollama:MODEL`, `http://host/v1#MODEL`), parsed once when the arguments are read. A bad spec is
/// reported by the option group's `validate()` with the parser's own explanation.
struct ModelArgument: ExpressibleByArgument, Sendable {
    let text: String
    private let parsed: Result<ChatModelSpec, ChatModelSpecParseFailure>

    init(argument: String) {
        text = argument
        parsed = Result { try ChatModelSpec(parsing: argument) }.mapError { ChatModelSpecParseFailure(message: "\($0)") }
    }

    var defaultValueDescription: String { text }

    /// The spec, or a validation error naming the option.
    func spec(option: String) throws -> ChatModelSpec {
        do { return try parsed.get() } catch { throw ValidationError("\(option) \(text): \(error.message)") }
    }

    static let help = "local (the embedded SmolLM2-135M), local:PATH.gguf (e.g. a fine-tuned checkpoint), "
        + "openai:MODEL, vllm:MODEL@URL, ollama:MODEL, or http://host/v1#MODEL."
}

struct ChatModelSpecParseFailure: Error, Sendable {
    var message: String
}
