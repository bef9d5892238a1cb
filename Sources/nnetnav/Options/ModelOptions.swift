import ArgumentParser
import LanguageModels
import Models

/// `--model` and `--api-key-env`: the model of a command that explores (`explore`).
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The model.", discussion: ModelArgument.help))
    var model = ModelArgument(argument: "local")

    @OptionGroup var apiKey: APIKeyOption

    func validate() throws { _ = try model.spec(option: "--model") }

    func make(maxConcurrentRequests: Int) throws -> any ChatModel {
        try ModelFactory.make(try model.spec(option: "--model"), apiKeyEnvironmentVariable: apiKey.apiKeyEnv,
                              maxConcurrentRequests: maxConcurrentRequests)
    }
}

/// `--policy` and `--api-key-env`: the model a command evaluates (`eval`).
struct PolicyOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The policy model.", discussion: ModelArgument.help))
    var policy = ModelArgument(argument: "local")

    @OptionGroup var apiKey: APIKeyOption

    func validate() throws { _ = try policy.spec(option: "--policy") }

    func make(maxConcurrentRequests: Int = 4) throws -> any ChatModel {
        try ModelFactory.make(try policy.spec(option: "--policy"), apiKeyEnvironmentVariable: apiKey.apiKeyEnv,
                              maxConcurrentRequests: maxConcurrentRequests)
    }
}

/// Where a remote model's API key is read from; the key itself never goes on the command line.
struct APIKeyOption: ParsableArguments {
    @Option(name: .long, help: "Environment variable holding the API key of a remote model (default: OPENAI_API_KEY for openai: models only; other servers get no key unless one is named here).")
    var apiKeyEnv: String?
}
