import Foundation
import HTTPTransport

/// A chat model behind an OpenAI-compatible `POST {baseURL}/chat/completions` endpoint:
/// OpenAI itself, vLLM, the llama.cpp server, Ollama, LM Studio...
///
/// The API key is read once from the environment variable named in the configuration and is
/// sent only in the `Authorization` header: it never appears in `identifier`, errors, retry
/// notices or the response cache (server messages that echo it are redacted).
///
/// At most `maxConcurrentRequests` requests are in flight per model; further callers wait.
/// Failed attempts are retried according to `retry` (429, 5xx, timeouts, connection errors);
/// other 4xx answers fail at once with the server's message as `ChatModelError.http`.
public final class OpenAICompatibleChatModel: ChatModel {
    public struct Configuration: Sendable {
        /// e.g. "https://api.openai.com/v1" or "http://localhost:8000/v1"; `/chat/completions` is appended.
        public var baseURL: String
        public var model: String
        /// Name (not value) of the environment variable holding the API key; nil sends no key.
        /// (`ChatModelSpec.Remote.configuration` fills it by `APIKeyScope`'s rule.)
        public var apiKeyEnvironmentVariable: String?
        /// `user:password` from the base URL, sent as HTTP Basic auth when no key is.
        public var credentials: URLCredentials?
        /// Fail at construction when the key variable is unset (hosted APIs); local servers need no key.
        public var requiresAPIKey: Bool
        /// Send `guided_choice` (vLLM) for requests with `choices`, instead of matching free text.
        public var guidedChoice: Bool
        /// How the answer length limit is sent.
        public var tokenLimitParameter: TokenLimitParameter
        public var maxConcurrentRequests: Int
        /// Per-attempt limit for the whole response; generation of long answers can take a while.
        public var timeout: TimeInterval
        public var connectTimeout: TimeInterval
        public var retry: RetryPolicy

        public init(baseURL: String, model: String, apiKeyEnvironmentVariable: String? = nil,
                    requiresAPIKey: Bool = false, guidedChoice: Bool = false,
                    tokenLimitParameter: TokenLimitParameter = .maxTokens, maxConcurrentRequests: Int = 4,
                    timeout: TimeInterval = 120, connectTimeout: TimeInterval = 10, retry: RetryPolicy = .init()) {
            let (clean, credentials) = URLCredentials.split(baseURL.trimmingCharacters(in: .whitespaces))
            var base = clean
            while base.hasSuffix("/") { base.removeLast() }
            self.baseURL = base
            self.credentials = credentials
            self.model = model
            self.apiKeyEnvironmentVariable = apiKeyEnvironmentVariable
            self.requiresAPIKey = requiresAPIKey
            self.guidedChoice = guidedChoice
            self.tokenLimitParameter = tokenLimitParameter
            self.maxConcurrentRequests = max(1, maxConcurrentRequests)
            self.timeout = timeout
            self.connectTimeout = connectTimeout
            self.retry = retry
        }
    }

    /// The request field carrying `GenerationOptions.maxTokens`. OpenAI deprecated `max_tokens`
    /// and its reasoning models reject it; most self-hosted servers only know `max_tokens`.
    public enum TokenLimitParameter: String, Sendable, Hashable {
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
    }

    /// A failed attempt that will be retried, for progress displays ("HTTP 429, retrying in 2.0 s").
    public struct RetryNotice: Sendable, CustomStringConvertible {
        public var attempt: Int
        public var maxAttempts: Int
        public var delay: TimeInterval
        public var error: ChatModelError
        public var description: String {
            "attempt \(attempt)/\(maxAttempts) failed (\(error)); retrying in \(String(format: "%.1f", delay)) s"
        }
    }

    public let configuration: Configuration
    public let identifier: String
    private let apiKey: APIKey?
    private let gate: AsyncSemaphore
    private let clients: HTTPClientPool
    private let onRetry: (@Sendable (RetryNotice) -> Void)?

    /// - Parameters:
    ///   - environment: where the API key variable is looked up; the process environment by default.
    ///   - onRetry: called before each backoff wait.
    public init(configuration: Configuration, environment: [String: String] = ProcessInfo.processInfo.environment,
                onRetry: (@Sendable (RetryNotice) -> Void)? = nil) throws {
        self.configuration = configuration
        self.identifier = "openai-compatible:\(configuration.model)@\(configuration.baseURL)"
        self.apiKey = configuration.apiKeyEnvironmentVariable.flatMap { APIKey(environmentVariable: $0, environment: environment) }
        if configuration.requiresAPIKey && apiKey == nil {
            throw ChatModelError.unavailable(
                "\(configuration.baseURL) needs an API key: set the environment variable \(configuration.apiKeyEnvironmentVariable ?? APIKeyScope.openAIVariable)")
        }
        let lower = configuration.baseURL.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            throw ChatModelError.unavailable("base URL must start with http:// or https://, got \(configuration.baseURL)")
        }
        try APIKeyScope.checkTransport(baseURL: configuration.baseURL,
                                       sendsSecret: apiKey != nil || configuration.credentials != nil, environment: environment)
        self.gate = AsyncSemaphore(limit: configuration.maxConcurrentRequests)
        self.clients = HTTPClientPool(configuration: .init(
            timeout: configuration.timeout, connectTimeout: configuration.connectTimeout,
            // No redirects: a redirect could carry the Authorization header to another host or to plain http.
            maxBodyBytes: 64 << 20, followRedirects: false, keepsCookies: false))
        self.onRetry = onRetry
    }

    public var endpoint: String { configuration.baseURL + "/chat/completions" }

    public func complete(_ request: ChatRequest) async throws -> ChatResponse {
        let body = try httpBody(for: request)
        return try await gate.withPermit {
            let policy = self.configuration.retry
            var attempt = 0
            while true {
                attempt += 1
                try Task.checkCancellation()
                switch await self.attempt(body: body, request: request) {
                case .success(let response):
                    return response
                case .failure(let error):
                    throw error
                case .cancelled:
                    throw CancellationError()
                case .retryable(let error, let retryAfter):
                    guard attempt < policy.maxAttempts else { throw Self.gaveUp(error, attempts: attempt) }
                    let delay = policy.backoff(afterAttempt: attempt, retryAfter: retryAfter)
                    self.onRetry?(RetryNotice(attempt: attempt, maxAttempts: policy.maxAttempts, delay: delay, error: error))
                    try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
                }
            }
        }
    }

    // MARK: - One attempt

    private enum Outcome: Sendable {
        case success(ChatResponse)
        case failure(ChatModelError)
        case retryable(ChatModelError, retryAfter: TimeInterval?)
        case cancelled
    }

    private func httpBody(for request: ChatRequest) throws -> Data {
        let wire = OpenAIWireFormat.Request(model: configuration.model, request: request,
                                            guidedChoice: configuration.guidedChoice,
                                            tokenLimit: configuration.tokenLimitParameter)
        do {
            return try JSONEncoder().encode(wire)
        } catch {
            throw ChatModelError.invalidResponse("could not encode the request: \(error)")
        }
    }

    private func attempt(body: Data, request: ChatRequest) async -> Outcome {
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json"), ("Accept", "application/json")]
        if let apiKey {
            headers.append(("Authorization", "Bearer \(apiKey.value)"))
        } else if let credentials = configuration.credentials {
            headers.append(("Authorization", credentials.basicAuthorization))
        }
        let httpRequest = HTTPRequest(method: .post, url: endpoint, headers: headers, body: body)

        let response: HTTPResponse
        do {
            response = try await clients.send(httpRequest)
        } catch is CancellationError {
            return .cancelled
        } catch let error as HTTPError {
            let wrapped = ChatModelError.transport(redact(error.description))
            switch error {
            case .timedOut, .connectionFailed, .transport: return .retryable(wrapped, retryAfter: nil)
            default: return .failure(wrapped)
            }
        } catch {
            return .failure(.transport(redact("\(error)")))
        }

        guard (200..<300).contains(response.status) else {
            var message = redact(OpenAIWireFormat.errorMessage(from: response.body))
            if response.status == 401 && apiKey == nil {
                message += configuration.apiKeyEnvironmentVariable.map { " (no API key was sent: the environment variable \($0) is not set)" }
                    ?? " (no API key was sent: name the variable holding this server's key with --api-key-env)"
            }
            let error = ChatModelError.http(status: response.status, body: message)
            guard RetryPolicy.isRetryable(status: response.status) else { return .failure(error) }
            let retryAfter = RetryPolicy.retryAfter(milliseconds: response.header("retry-after-ms"),
                                                    header: response.header("Retry-After"))
            return .retryable(error, retryAfter: retryAfter)
        }
        do {
            return .success(try parse(response.body, for: request))
        } catch let error as ChatModelError {
            return .failure(error)
        } catch {
            return .failure(.invalidResponse(redact("\(error)")))
        }
    }

    private func parse(_ body: Data, for request: ChatRequest) throws -> ChatResponse {
        let excerpt = { self.redact(String(decoding: body.prefix(300), as: UTF8.self)) }
        let decoded: OpenAIWireFormat.Response
        do {
            decoded = try JSONDecoder().decode(OpenAIWireFormat.Response.self, from: body)
        } catch {
            throw ChatModelError.invalidResponse("\(endpoint) did not return a chat completion: \(excerpt())")
        }
        guard let first = decoded.choices?.first else {
            throw ChatModelError.invalidResponse("\(endpoint) returned no choices: \(excerpt())")
        }
        let finishReason = first.finishReason ?? "stop"
        guard let text = first.message?.content ?? first.text else {
            let why = first.message?.refusal.map { "the model refused: \($0)" } ?? "finish_reason \(finishReason)"
            throw ChatModelError.invalidResponse("\(endpoint) returned no message content (\(why))")
        }
        let usage = TokenUsage(promptTokens: decoded.usage?.promptTokens ?? 0,
                               completionTokens: decoded.usage?.completionTokens ?? 0)
        guard let choices = request.choices, !choices.isEmpty else {
            return ChatResponse(text: text, usage: usage, finishReason: finishReason)
        }
        guard let choice = ChoiceMatcher.match(text, choices: choices) else {
            throw ChatModelError.invalidResponse(
                "the model answered \"\(text.prefix(200))\", which matches none of the allowed answers: "
                    + choices.map { "\"\($0)\"" }.joined(separator: ", "))
        }
        return ChatResponse(text: choice, usage: usage, finishReason: "choice")
    }

    private func redact(_ text: String) -> String { apiKey?.redact(text) ?? text }

    private static func gaveUp(_ error: ChatModelError, attempts: Int) -> ChatModelError {
        let suffix = " (gave up after \(attempts) attempt\(attempts == 1 ? "" : "s"))"
        switch error {
        case .http(let status, let body): return .http(status: status, body: body + suffix)
        case .transport(let message): return .transport(message + suffix)
        default: return error
        }
    }
}
