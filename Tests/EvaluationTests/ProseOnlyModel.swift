import Foundation
import LanguageModels
import Pipeline
import WebTasks

/// Test double: always writes prose without an action.
struct ProseOnlyModel: ChatModel {
    let identifier = "test-double:prose-only"
    func complete(_ request: ChatRequest) async throws -> ChatResponse {
        ChatResponse(text: "This page looks interesting; I would like to learn more about it.")
    }
}
