import Foundation
import HTTPServer
import LanguageModels

/// Test double of a model server: any `ChatModel` (in tests, `CannedChatModel`) behind a loopback
/// OpenAI-compatible `POST /v1/chat/completions`, so that separate processes (crawl workers run as
/// the built `nnetnav`) share one deterministic model. It reads the fields the project's client
/// sends (messages, temperature, top_p, max_tokens, stop, seed, vLLM's guided_choice) back into a
/// `ChatRequest`; `latency` delays every answer, like a busy server.
public enum ChatModelHTTPServer {
    public static func with<T: Sendable>(model: any ChatModel, latency: Double = 0,
                                         _ body: (_ baseURL: String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("v1/chat/completions") { request, _ -> Response in
            let data = Data(try request.body(upTo: 16 << 20))
            guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let messages = json["messages"] as? [[String: Any]] else {
                return Response(status: .badRequest)
            }
            let chat = ChatRequest(
                messages: messages.map {
                    ChatMessage(role: ChatMessage.Role(rawValue: $0["role"] as? String ?? "user") ?? .user,
                                content: $0["content"] as? String ?? "")
                },
                options: GenerationOptions(temperature: json["temperature"] as? Double ?? 0, topP: json["top_p"] as? Double ?? 1,
                                           maxTokens: json["max_tokens"] as? Int ?? json["max_completion_tokens"] as? Int ?? 384,
                                           stop: json["stop"] as? [String] ?? [],
                                           seed: (json["seed"] as? Int64).map { UInt64(bitPattern: $0) }
                                               ?? (json["seed"] as? Int).map { UInt64(bitPattern: Int64($0)) }),
                choices: json["guided_choice"] as? [String])
            if latency > 0 { try await Task.sleep(nanoseconds: UInt64(latency * 1e9)) }
            let answer = try await model.complete(chat)
            let body: [String: Any] = [
                "id": "test-double", "object": "chat.completion", "model": json["model"] as? String ?? "",
                "choices": [["index": 0, "message": ["role": "assistant", "content": answer.text],
                             "finish_reason": answer.finishReason == "choice" ? "stop" : answer.finishReason]],
                "usage": ["prompt_tokens": answer.usage.promptTokens, "completion_tokens": answer.usage.completionTokens],
            ]
            var headers = HTTPHeaders()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers,
                            body: .init(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        return try await LoopbackHTTPServer.with(router: router, label: "chat-model-http-server") { port in
            try await body("http://127.0.0.1:\(port)/v1")
        }
    }
}
