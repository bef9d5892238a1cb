import Foundation
import LanguageModels
import TestSupport

/// Test double: `CannedChatModel`, whose labels repeat across episodes (its policy walks the same
/// links every time), with each label made distinct by a tag drawn from the request's seed (the
/// labeler's seed comes from the episode index). Instructions then never collide, so which worker
/// commits an episode first cannot change which demonstrations are kept, and a crawl split across
/// workers must export exactly what one process exports.
final class EpisodeTaggedModel: ChatModel, @unchecked Sendable {
    let base: CannedChatModel
    var identifier: String { base.identifier }

    init(base: CannedChatModel) { self.base = base }

    func complete(_ request: ChatRequest) async throws -> ChatResponse {
        var response = try await base.complete(request)
        if base.module(of: request) == "label", let seed = request.options.seed {
            let tag = String(seed % 0xFFFFFF, radix: 16) + " " + String((seed >> 24) % 0xFFFFFF, radix: 16)
            response.text += " on errand \(tag)"
        }
        return response
    }
}
