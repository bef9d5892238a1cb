import Foundation
import LanguageModels

/// The instruction a demonstration row is about: the `OBJECTIVE:` line of its user turn (the student
/// prompt's layout), else the whole first user turn. The predictor and PASER's clustering read only this,
/// so a mask is fixed for a whole episode.
public enum InstructionText {
    public static func of(_ messages: [ChatMessage]) -> String {
        let user = messages.first { $0.role == .user }?.content ?? ""
        for line in user.split(separator: "\n") where line.hasPrefix("OBJECTIVE:") {
            return line.dropFirst("OBJECTIVE:".count).trimmingCharacters(in: .whitespaces)
        }
        return user
    }
}
