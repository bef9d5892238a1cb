import Foundation
import HTTPServer
import LanguageModels
import TestSupport

/// Test double: a loopback OpenAI-compatible chat server whose answers come from a `CannedChatModel`,
/// so a crawl can run through the real HTTP client with deterministic answers.
enum CannedModelHTTPServer {
    struct WireRequest: Decodable {
        struct Message: Decodable { var role: String; var content: String }
        var messages: [Message]
        var temperature: Double?
        var max_tokens: Int?
    }

    static func with<T: Sendable>(answering canned: CannedChatModel,
                                  _ body: @Sendable (_ baseURL: String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("v1/chat/completions") { request, _ -> Response in
            let wire = try JSONDecoder().decode(WireRequest.self, from: Data(try request.body(upTo: 8 << 20)))
            let chat = ChatRequest(messages: wire.messages.map {
                ChatMessage(role: ChatMessage.Role(rawValue: $0.role) ?? .user, content: $0.content)
            }, options: GenerationOptions(temperature: wire.temperature ?? 1))
            let answer = try await canned.complete(chat)
            let object: [String: Any] = [
                "id": "chatcmpl-canned", "object": "chat.completion", "model": "canned",
                "choices": [["index": 0, "message": ["role": "assistant", "content": answer.text], "finish_reason": "stop"]],
                "usage": ["prompt_tokens": answer.usage.promptTokens, "completion_tokens": answer.usage.completionTokens,
                          "total_tokens": answer.usage.totalTokens],
            ]
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(bytes: try JSONSerialization.data(withJSONObject: object)))
        }
        return try await LoopbackHTTPServer.with(router: router, label: "canned-model-server") { port in
            try await body("http://127.0.0.1:\(port)/v1")
        }
    }
}
