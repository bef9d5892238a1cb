import Foundation
import HTTPServer
import WebSites
import Pipeline

/// An OpenAI-compatible chat server on loopback that answers every role of the pipeline after a
/// fixed latency: a stand-in for a remote model server, so what remains of a run's time beyond
/// calls × latency is the project's own overhead. Answers are well-formed for each role (the
/// role is recognised by its system prompt) and follow the page's links, so crawls and
/// evaluations take their usual paths.
enum StandInModelServer {
    struct WireRequest: Decodable {
        struct Message: Decodable { var role: String; var content: String }
        var messages: [Message]
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func increment() -> Int { lock.withLock { value += 1; return value } }
        var count: Int { lock.withLock { value } }
    }

    static func with<T: Sendable>(latency: Double, prompts: PromptLibrary, calls: Counter,
                                  _ body: (_ baseURL: String) async throws -> T) async throws -> T {
        let templates: [(PromptTemplate, String)] = [
            (prompts.explorationPolicy, "policy"), (prompts.studentPolicy, "policy"), (prompts.explorationChoice, "policy"),
            (prompts.stateChange, "state"), (prompts.trajectoryLabeler, "label"), (prompts.judge, "judge"),
            (prompts.actionRationalizer, "rationale"), (prompts.stopAction, "stop"),
        ]
        // A role is recognised by its system prompt's opening, up to its first placeholder.
        let roles: [(opening: String, role: String)] = templates.map { template, role in
            (String(template.system.prefix(while: { character in character != "{" }).prefix(200)), role)
        }
        let router = Router()
        router.post("v1/chat/completions") { request, _ -> Response in
            let wire = try JSONDecoder().decode(WireRequest.self, from: Data(try request.body(upTo: 16 << 20)))
            let system = wire.messages.first?.content ?? ""
            let user = wire.messages.last?.content ?? ""
            let role = roles.first { !$0.opening.isEmpty && system.hasPrefix($0.opening) }?.role ?? "policy"
            let call = calls.increment()
            try await Task.sleep(nanoseconds: UInt64(latency * 1e9))
            let text = answer(role: role, user: user, call: call)
            let object: [String: Any] = [
                "id": "chatcmpl-standin-\(call)", "object": "chat.completion", "model": "stand-in",
                "choices": [["index": 0, "message": ["role": "assistant", "content": text], "finish_reason": "stop"]],
                "usage": ["prompt_tokens": user.utf8.count / 4, "completion_tokens": text.utf8.count / 4,
                          "total_tokens": (user.utf8.count + text.utf8.count) / 4],
            ]
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(bytes: try JSONSerialization.data(withJSONObject: object)))
        }
        return try await LoopbackHTTPServer.with(router: router, label: "stand-in-model") { port in try await body("http://127.0.0.1:\(port)/v1") }
    }

    static func section(_ name: String, in text: String) -> String {
        guard let r = text.range(of: name) else { return "" }
        return String(text[r.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func answer(role: String, user: String, call: Int) -> String {
        switch role {
        case "state":
            return "Thought: the page changed.\nState change: The user opened another page."
        case "label":
            return "Thought: the user browsed.\nInstruction: Browse the catalog and open item number \(call % 7)"
        case "judge":
            return "Thought: good progress.\nReward: 5"
        case "rationale":
            let action = section("Action:", in: user).split(separator: "\n").first.map(String.init) ?? "scroll [down]"
            return "Output: Let's think step-by-step. The page has what is needed. "
                + "In summary, the next action I will perform is ```\(action)```"
        case "stop":
            return "Let's think step-by-step. In summary, the next action I will perform is ```stop [done]```"
        default:
            // Follows a link picked by the call number: a page-dependent walk that never stops.
            let links = user.split(separator: "\n").filter { $0.contains("] link '") || $0.contains("] button '") }
            guard !links.isEmpty else { return "In summary, the next action I will perform is ```scroll [down]```" }
            let line = links[call % links.count]
            let id = line.split(separator: "[").dropFirst().first?.split(separator: "]").first ?? "1"
            return "Let's think step-by-step. I will look around. In summary, the next action I will perform is ```click [\(id)]```"
        }
    }
}
