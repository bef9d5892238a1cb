import Foundation
import LanguageModels
import LlamaModel
import NNetnavSupport

/// Turns a user-facing model spec into a model: remote specs into the OpenAI-compatible client,
/// `local` into the in-process engine with the embedded SmolLM2, `local:PATH` with that file.
public enum ModelFactory {
    public static func make(_ spec: ChatModelSpec, apiKeyEnvironmentVariable: String? = nil,
                            maxConcurrentRequests: Int = 4, layout: ProjectLayout = .current) throws -> any ChatModel {
        switch spec {
        case .local(let path):
            if let path { return try LocalChatModel(modelFile: URL(fileURLWithPath: path)) }
            return try LocalChatModel.embeddedDefault(layout: layout)
        case .remote(let remote):
            return try remote.makeAnyModel(apiKeyEnvironmentVariable: apiKeyEnvironmentVariable,
                                        maxConcurrentRequests: maxConcurrentRequests)
        }
    }
}
