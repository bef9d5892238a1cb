import Foundation
import LanguageModels
import NNetnavSupport

/// WebVoyager's auto-evaluation, on text: a language model reads the task, the final page's
/// observation and the agent's answer, reasons, and ends with SUCCESS or NOT SUCCESS.
public struct WebVoyagerJudge: Sendable {
    /// The judge's decision and why.
    public struct Verdict: Sendable, Hashable, Codable {
        public var success: Bool
        /// The judge's reasoning (its answer without the verdict line).
        public var rationale: String
        /// The judge's whole answer.
        public var raw: String
    }

    public enum Error: Swift.Error, CustomStringConvertible, Sendable, Equatable {
        case unparseableVerdict(String)

        public var description: String {
            switch self {
            case .unparseableVerdict(let a):
                return "the WebVoyager judge's answer ends with neither SUCCESS nor NOT SUCCESS: '\(a.suffix(300))'"
            }
        }
    }

    public let model: any ChatModel
    let systemPrompt: String
    /// Characters of the final observation given to the judge (the page's start is kept).
    public var maxObservationCharacters = 12_000

    public init(model: any ChatModel, layout: ProjectLayout = .current) throws {
        self.model = model
        systemPrompt = try WebArenaJudge.prompt("webvoyager_judge.txt", layout: layout)
    }

    public func judge(task: WebVoyagerTask, finalURL: String, finalObservation: String, answer: String) async throws -> Verdict {
        let page = finalObservation.count > maxObservationCharacters
            ? String(finalObservation.prefix(maxObservationCharacters)) + "\n[… page truncated]" : finalObservation
        let user = """
            TASK: \(task.ques)
            WEBSITE: \(task.web)

            FINAL PAGE (\(finalURL)):
            \(page)

            AGENT'S ANSWER: \(answer.isEmpty ? "(the agent gave no answer)" : answer)
            """
        let response = try await model.complete(ChatRequest(messages: [.system(systemPrompt), .user(user)],
                                                            options: GenerationOptions(temperature: 0, maxTokens: 1024)))
        return try Self.parse(response.text)
    }

    /// The verdict is the last SUCCESS / NOT SUCCESS the answer names (a judge often quotes both
    /// options before deciding); markdown emphasis, "Verdict:" and punctuation around it do not matter.
    /// "UNSUCCESSFUL"/"SUCCESSFUL" are not verdict words. An answer naming neither is an error.
    public static func parse(_ answer: String) throws -> Verdict {
        let upper = answer.uppercased()
        let scalars = Array(upper.unicodeScalars)
        func isWordChar(_ s: Unicode.Scalar) -> Bool { s.properties.isAlphabetic || s.properties.numericType != nil || s == "_" }
        var last: (index: Int, success: Bool, start: Int)?
        let word = Array("SUCCESS".unicodeScalars)
        var i = 0
        while i + word.count <= scalars.count {
            if Array(scalars[i..<(i + word.count)]) == word,
               i + word.count == scalars.count || !isWordChar(scalars[i + word.count]),
               i == 0 || !isWordChar(scalars[i - 1]) {
                // Is it "NOT SUCCESS" (spaces, asterisks or underscores between)?
                var j = i - 1
                while j >= 0, scalars[j] == " " || scalars[j] == "*" || scalars[j] == "_" || scalars[j] == "\t" { j -= 1 }
                var negated = false
                var start = i
                if j >= 2, String(String.UnicodeScalarView(scalars[(j - 2)...j])) == "NOT", j - 3 < 0 || !isWordChar(scalars[j - 3]) {
                    negated = true
                    start = j - 2
                }
                last = (i, !negated, start)
                i += word.count
            } else {
                i += 1
            }
        }
        guard let last else { throw Error.unparseableVerdict(answer) }
        // The rationale: everything before the verdict's line.
        // Upper-casing can change the length ("ß" → "SS"); then the rationale is cut from the upper-cased text.
        let source = answer.unicodeScalars.count == scalars.count ? Array(answer.unicodeScalars) : scalars
        let prefix = String(String.UnicodeScalarView(source[..<last.start]))
        var lines = prefix.components(separatedBy: "\n")
        if let tail = lines.last, tail.trimmingCharacters(in: .whitespaces).count < 40 { lines.removeLast() }
        let rationale = lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        return Verdict(success: last.success, rationale: rationale, raw: answer)
    }
}
