import Foundation
import LanguageModels

/// A prompt file from `prompts/`: a system text and a user template with `{name}` placeholders.
public struct PromptTemplate: Sendable, Hashable {
    public var name: String
    public var system: String
    public var user: String

    public init(name: String, system: String, user: String) {
        self.name = name
        self.system = system
        self.user = user
    }

    /// Parses the `[system]` / `[user]` file format described in `prompts/README.md`.
    public init(name: String, fileText: String) throws {
        var sections: [String: [Substring]] = [:]
        var current: String?
        for line in fileText.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "[system]" || trimmed == "[user]" {
                current = String(trimmed.dropFirst().dropLast())
                sections[current!] = []
            } else if let current {
                sections[current]!.append(line)
            }
        }
        func text(_ key: String) -> String? {
            sections[key].map { $0.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        guard let system = text("system"), let user = text("user") else {
            throw PromptError.malformed(name: name, reason: "needs a [system] and a [user] section")
        }
        self.init(name: name, system: system, user: user)
    }

    /// Fills placeholders in one pass, so values containing `{...}` are never re-expanded.
    public static func fill(_ template: String, _ values: [String: String]) -> String {
        var out = ""
        out.reserveCapacity(template.count)
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            let after = rest[rest.index(after: open)...]
            if let close = after.firstIndex(of: "}"), let value = values[String(after[..<close])] {
                out += value
                rest = after[after.index(after: close)...]
            } else {
                out.append("{")
                rest = after
            }
        }
        out += rest
        return out
    }

    public func messages(_ values: [String: String]) -> [ChatMessage] {
        [.system(Self.fill(system, values)), .user(Self.fill(user, values))]
    }
}

public enum PromptError: Error, CustomStringConvertible, Sendable {
    case missing(path: String)
    case malformed(name: String, reason: String)
    case noPersonas(site: String, path: String)

    public var description: String {
        switch self {
        case .missing(let p): return "prompt file not found: \(p) (set NNETNAV_HOME to the project folder)"
        case .malformed(let n, let r): return "prompt \(n) is malformed: \(r)"
        case .noPersonas(let s, let p): return "no personas for site \(s): expected lines 'Name: description' in \(p)"
        }
    }
}
