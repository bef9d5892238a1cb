import Foundation
import HTTPServer
import TestSupport

/// Test double: a loopback HTTP server speaking just enough of the OpenAI chat completions API
/// to script failures. Each request takes the next scripted reply (then `fallback`), and the
/// server records what it received and how many requests overlapped.
actor CannedOpenAIServer {
    indirect enum Reply: Sendable {
        /// 200 with a well-formed chat completion.
        case completion(String, promptTokens: Int = 11, completionTokens: Int = 7, finishReason: String = "stop")
        /// Any status with a JSON `{"error": {"message": ...}}` body and extra headers.
        case error(status: Int, message: String, headers: [String: String] = [:])
        /// 200 with this body verbatim.
        case raw(String)
        /// A 401 whose message echoes the Authorization header, like a careless server.
        case echoAuthorization
        /// Waits, then answers.
        case slow(seconds: Double, then: Reply)
    }

    struct Received: Sendable {
        var json: [String: any Sendable]
        var authorization: String?
        var at: ContinuousClock.Instant
    }

    private var script: [Reply]
    private let fallback: Reply
    private(set) var received: [Received] = []
    private var inFlight = 0
    private(set) var maxInFlight = 0
    private(set) var port = 0

    private init(script: [Reply], fallback: Reply) {
        self.script = script
        self.fallback = fallback
    }

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }
    var requestCount: Int { received.count }

    /// Runs `body` with a server on a free loopback port, then shuts the server down.
    static func with<T: Sendable>(
        script: [Reply], fallback: Reply = .error(status: 500, message: "script exhausted"),
        _ body: (CannedOpenAIServer) async throws -> T
    ) async throws -> T {
        let server = CannedOpenAIServer(script: script, fallback: fallback)
        let router = Router()
        router.post("v1/chat/completions") { request, _ -> Response in
            let text = String(decoding: try request.body(upTo: 1 << 20), as: UTF8.self)
            let authorization = request.headers[.authorization]
            let reply = await server.begin(body: text, authorization: authorization)
            do {
                let response = try await Self.render(reply, authorization: authorization)
                await server.end()
                return response
            } catch {
                await server.end()
                throw error
            }
        }
        return try await LoopbackHTTPServer.with(router: router, label: "canned-openai-server") { port in
            await server.setPort(port)
            return try await body(server)
        }
    }

    private func setPort(_ port: Int) { self.port = port }

    private func begin(body: String, authorization: String?) -> Reply {
        let json = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        received.append(Received(json: json.mapValues { Self.sendable($0) }, authorization: authorization, at: .now))
        inFlight += 1
        maxInFlight = max(maxInFlight, inFlight)
        return script.isEmpty ? fallback : script.removeFirst()
    }

    private func end() { inFlight -= 1 }

    /// JSONSerialization values are Sendable in practice (immutable Foundation values); copy them as such.
    private static func sendable(_ value: Any) -> any Sendable {
        switch value {
        case let s as String: return s
        case let n as NSNumber: return n.doubleValue
        case let a as [Any]: return a.map { sendable($0) }
        case let d as [String: Any]: return d.mapValues { sendable($0) }
        default: return "\(value)"
        }
    }

    private static func render(_ reply: Reply, authorization: String?) async throws -> Response {
        switch reply {
        case .completion(let text, let prompt, let completion, let finish):
            let object: [String: Any] = [
                "id": "chatcmpl-canned", "object": "chat.completion", "model": "canned",
                "choices": [["index": 0, "message": ["role": "assistant", "content": text], "finish_reason": finish]],
                "usage": ["prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion],
            ]
            return json(200, object)
        case .error(let status, let message, let headers):
            var response = json(status, ["error": ["message": message, "type": "canned"]])
            for (name, value) in headers { response.headers[.init(name)!] = value }
            return response
        case .raw(let body):
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(string: body))
        case .echoAuthorization:
            return json(401, ["error": ["message": "Incorrect API key provided: \(authorization ?? "none")"]])
        case .slow(let seconds, let then):
            try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            return try await render(then, authorization: authorization)
        }
    }

    private static func json(_ status: Int, _ object: [String: Any]) -> Response {
        let data = try! JSONSerialization.data(withJSONObject: object)
        return Response(status: .init(code: status), headers: [.contentType: "application/json"],
                        body: .init(bytes: data))
    }
}
