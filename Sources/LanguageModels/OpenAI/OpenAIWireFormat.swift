import Foundation

/// The JSON bodies of `POST /chat/completions`, limited to the fields this project sends and reads.
enum OpenAIWireFormat {
    struct Request: Encodable {
        var model: String
        var messages: [ChatMessage]
        var temperature: Double
        var topP: Double
        var maxTokens: Int?
        var maxCompletionTokens: Int?
        var stop: [String]?
        var seed: Int64?
        /// vLLM's constrained decoding to one of these strings.
        var guidedChoice: [String]?
        var stream = false

        enum CodingKeys: String, CodingKey {
            case model, messages, temperature, stop, seed, stream
            case topP = "top_p"
            case maxTokens = "max_tokens"
            case maxCompletionTokens = "max_completion_tokens"
            case guidedChoice = "guided_choice"
        }

        init(model: String, request: ChatRequest, guidedChoice: Bool, tokenLimit: OpenAICompatibleChatModel.TokenLimitParameter) {
            self.model = model
            self.messages = request.messages
            self.temperature = request.options.temperature
            self.topP = request.options.topP
            switch tokenLimit {
            case .maxTokens: self.maxTokens = request.options.maxTokens
            case .maxCompletionTokens: self.maxCompletionTokens = request.options.maxTokens
            }
            self.stop = request.options.stop.isEmpty ? nil : request.options.stop
            // The API takes a signed integer; keep the seed's low 63 bits so it stays positive.
            self.seed = request.options.seed.map { Int64($0 & 0x7FFF_FFFF_FFFF_FFFF) }
            if guidedChoice, let choices = request.choices, !choices.isEmpty { self.guidedChoice = choices }
        }
    }

    struct Response: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable {
                var content: String?
                var refusal: String?
            }
            var message: Message?
            var text: String?
            var finishReason: String?
            enum CodingKeys: String, CodingKey {
                case message, text
                case finishReason = "finish_reason"
            }
        }
        struct Usage: Decodable {
            var promptTokens: Int?
            var completionTokens: Int?
            enum CodingKeys: String, CodingKey {
                case promptTokens = "prompt_tokens"
                case completionTokens = "completion_tokens"
            }
        }
        var choices: [Choice]?
        var usage: Usage?
    }

    /// The human-readable message in an error body: `{"error": {"message": ...}}` (OpenAI, vLLM),
    /// `{"error": "..."}` (Ollama, llama.cpp) or `{"message": ...}`; otherwise the raw text.
    static func errorMessage(from body: Data) -> String {
        if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] {
            if let error = object["error"] as? [String: Any], let message = error["message"] as? String { return message }
            if let error = object["error"] as? String { return error }
            if let message = object["message"] as? String { return message }
            if let detail = object["detail"] as? String { return detail }
        }
        let text = String(decoding: body.prefix(2000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "(empty body)" : text
    }
}
