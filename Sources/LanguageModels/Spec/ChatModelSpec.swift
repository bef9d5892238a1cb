import Foundation

/// A model as users name it on the command line.
///
/// | Spelling | Meaning |
/// |---|---|
/// | `local` | the embedded default model file |
/// | `local:/path/model.gguf` | another model file, run in-process |
/// | `openai:gpt-4o-mini` | OpenAI at https://api.openai.com/v1 (needs an API key) |
/// | `vllm:meta-llama/Llama-3.1-8B-Instruct@http://localhost:8000/v1` | vLLM, with `guided_choice` for choices |
/// | `ollama:llama3.1` / `llamacpp:model` | Ollama (localhost:11434) / llama.cpp server (localhost:8080) |
/// | `http://host:port/v1#model-name` | any OpenAI-compatible server |
///
/// Every remote prefix takes an optional `@baseURL`. Which API key goes where is `APIKeyScope`'s
/// rule: `openai:` on the hosted API gets `OPENAI_API_KEY`; any other endpoint gets a key only from a
/// variable the user names (`--api-key-env`, the config's `apiKeyEnv`). `user:password@` in a base
/// URL is taken out of it (sent as HTTP Basic auth) so it never reaches identifiers, caches or logs.
///
/// The in-process engine lives in another target, so `.local` only describes the model file;
/// the command line builds it.
public enum ChatModelSpec: Sendable, Hashable, CustomStringConvertible {
    /// The in-process engine; nil path means the embedded default model.
    case local(path: String?)
    case remote(Remote)

    public struct Remote: Sendable, Hashable {
        public enum Server: String, Sendable, Hashable, CaseIterable {
            case openai, vllm, ollama, llamacpp
            /// Any other OpenAI-compatible server, named by URL.
            case generic = "openai-compatible"

            var defaultBaseURL: String? {
                switch self {
                case .openai: return "https://api.openai.com/v1"
                case .vllm: return "http://localhost:8000/v1"
                case .ollama: return "http://localhost:11434/v1"
                case .llamacpp: return "http://localhost:8080/v1"
                case .generic: return nil
                }
            }
        }
        public var server: Server
        public var model: String
        /// Without any `user:password@`: safe to show, store and hash.
        public var baseURL: String
        /// `user:password` that was in the base URL, if any; prints as `[redacted]`.
        public var credentials: URLCredentials?
        /// More endpoints serving the same model (`@http://a/v1,http://b/v1`): requests are balanced
        /// over `baseURL` and these by `EndpointBalancedChatModel`.
        public var moreBaseURLs: [String] = []

        /// Every endpoint, `baseURL` first.
        public var baseURLs: [String] { [baseURL] + moreBaseURLs }

        public init(server: Server, model: String, baseURL: String) {
            self.server = server
            self.model = model
            let (clean, credentials) = URLCredentials.split(baseURL)
            var base = clean
            while base.hasSuffix("/") { base.removeLast() }
            self.baseURL = base
            self.credentials = credentials
        }
    }

    public struct ParseError: Error, CustomStringConvertible, Sendable {
        /// The spec as typed, with any `user:password@` replaced by `[redacted]@`.
        public var spec: String
        public var reason: String
        init(spec: String, reason: String) { self.spec = URLCredentials.redact(spec); self.reason = reason }
        public var description: String {
            "cannot read model \"\(spec)\": \(reason). Use local, local:/path/model.gguf, openai:MODEL, "
                + "vllm:MODEL@http://host:8000/v1, ollama:MODEL, llamacpp:MODEL or http://host:port/v1#MODEL"
        }
    }

    public init(parsing text: String) throws {
        let spec = text.trimmingCharacters(in: .whitespaces)
        let fail = { (reason: String) in ParseError(spec: spec, reason: reason) }
        let lower = spec.lowercased()

        if lower == "local" { self = .local(path: nil); return }
        if lower.hasPrefix("local:") {
            let path = String(spec.dropFirst("local:".count))
            guard !path.isEmpty else { throw fail("no model file after local:") }
            self = .local(path: path)
            return
        }
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            guard let hash = spec.lastIndex(of: "#") else { throw fail("a server URL needs #model-name at the end") }
            let model = String(spec[spec.index(after: hash)...])
            guard !model.isEmpty else { throw fail("empty model name after #") }
            self = .remote(Remote(server: .generic, model: model, baseURL: String(spec[..<hash])))
            return
        }
        guard let colon = spec.firstIndex(of: ":") else { throw fail("no backend prefix") }
        let prefix = lower[..<colon]
        let serverName = prefix == "llama.cpp" ? "llamacpp" : String(prefix)
        guard let server = Remote.Server(rawValue: serverName) else {
            throw fail("unknown backend \"\(spec[..<colon])\"")
        }
        var model = String(spec[spec.index(after: colon)...])
        var baseURL = server.defaultBaseURL
        // Model names may contain "@" (rarely); the base URL is what follows the last "@http".
        if let at = model.range(of: "@http", options: [.backwards, .caseInsensitive]) {
            baseURL = String(model[model.index(after: at.lowerBound)...])
            model = String(model[..<at.lowerBound])
        }
        guard !model.isEmpty else { throw fail("empty model name") }
        guard let baseURL else { throw fail("\(server.rawValue) needs @baseURL") }
        // Several endpoints of one model: `@http://a/v1,http://b/v1`.
        let urls = baseURL.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard urls.allSatisfy({ $0.lowercased().hasPrefix("http://") || $0.lowercased().hasPrefix("https://") }) else {
            throw fail("every endpoint after @ must be an http:// or https:// URL, separated by commas")
        }
        var remote = Remote(server: server, model: model, baseURL: urls[0])
        remote.moreBaseURLs = urls.dropFirst().map { Remote(server: server, model: model, baseURL: $0).baseURL }
        self = .remote(remote)
    }

    public var description: String {
        switch self {
        case .local(nil): return "local"
        case .local(let path?): return "local:\(path)"
        case .remote(let remote):
            if remote.server == .generic { return "\(remote.baseURL)#\(remote.model)" }
            let suffix = remote.baseURLs == [remote.server.defaultBaseURL] ? "" : "@" + remote.baseURLs.joined(separator: ",")
            return "\(remote.server.rawValue):\(remote.model)\(suffix)"
        }
    }
}

extension ChatModelSpec.Remote {
    /// The hosted OpenAI API (https, api.openai.com), the only endpoint a key goes to unasked.
    public var isHostedOpenAI: Bool { server == .openai && APIKeyScope.isHostedOpenAI(baseURL) }

    /// Client settings for this server: hosted OpenAI requires a key and takes `max_completion_tokens`,
    /// vLLM constrains choices. `apiKeyEnvironmentVariable` is the variable the user named (nil: none
    /// named); `APIKeyScope` decides whether any key is sent.
    public func configuration(apiKeyEnvironmentVariable: String? = nil,
                              maxConcurrentRequests: Int = 4,
                              retry: RetryPolicy = .init()) -> OpenAICompatibleChatModel.Configuration {
        let hostedOpenAI = isHostedOpenAI
        var configuration = OpenAICompatibleChatModel.Configuration(
            baseURL: baseURL, model: model,
            apiKeyEnvironmentVariable: APIKeyScope.keyVariable(for: self, named: apiKeyEnvironmentVariable),
            requiresAPIKey: hostedOpenAI, guidedChoice: server == .vllm,
            tokenLimitParameter: hostedOpenAI ? .maxCompletionTokens : .maxTokens,
            maxConcurrentRequests: maxConcurrentRequests, retry: retry)
        configuration.credentials = credentials
        return configuration
    }

    /// The client: one endpoint's, or a balancer over all of them (each endpoint retries once at
    /// most, so a dead one is skipped quickly; the balancer moves the request on).
    public func makeAnyModel(apiKeyEnvironmentVariable: String? = nil, maxConcurrentRequests: Int = 4,
                             retry: RetryPolicy = .init()) throws -> any ChatModel {
        guard !moreBaseURLs.isEmpty else {
            return try makeModel(apiKeyEnvironmentVariable: apiKeyEnvironmentVariable,
                                 maxConcurrentRequests: maxConcurrentRequests, retry: retry)
        }
        var quick = retry
        quick.maxAttempts = min(retry.maxAttempts, 2)
        let endpoints: [any ChatModel] = try baseURLs.map { url in
            var one = self
            one.baseURL = url
            one.moreBaseURLs = []
            return try one.makeModel(apiKeyEnvironmentVariable: apiKeyEnvironmentVariable,
                                     maxConcurrentRequests: maxConcurrentRequests, retry: quick)
        }
        return EndpointBalancedChatModel(identifier: "openai-compatible:\(model)@\(baseURLs.joined(separator: ","))",
                                         endpoints: endpoints)
    }

    /// The HTTP client for this server.
    public func makeModel(apiKeyEnvironmentVariable: String? = nil, maxConcurrentRequests: Int = 4,
                          retry: RetryPolicy = .init(),
                          onRetry: (@Sendable (OpenAICompatibleChatModel.RetryNotice) -> Void)? = nil) throws -> OpenAICompatibleChatModel {
        try OpenAICompatibleChatModel(
            configuration: configuration(apiKeyEnvironmentVariable: apiKeyEnvironmentVariable,
                                         maxConcurrentRequests: maxConcurrentRequests, retry: retry),
            onRetry: onRetry)
    }
}
