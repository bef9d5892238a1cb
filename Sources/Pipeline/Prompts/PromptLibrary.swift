import Foundation
import NNetnavSupport

/// All prompts and personas of the method, loaded from a `prompts/` folder.
public struct PromptLibrary: Sendable {
    public var explorationPolicy: PromptTemplate
    /// NNetnav-Live's variant for live websites (`exploration_policy_openweb.txt`): no WebArena
    /// site, no made-up purchases or posts; used for sites named `openweb/<host>`.
    public var explorationPolicyOpenWeb: PromptTemplate?
    public var explorationChoice: PromptTemplate
    public var stateChange: PromptTemplate
    public var trajectoryLabeler: PromptTemplate
    public var judge: PromptTemplate
    public var actionRationalizer: PromptTemplate
    public var stopAction: PromptTemplate
    public var studentPolicy: PromptTemplate
    /// Personas per site name, in file order.
    public var personas: [String: [Persona]]

    public init(directory: URL = ProjectLayout.current.prompts) throws {
        func load(_ name: String) throws -> PromptTemplate {
            let url = directory.appendingPathComponent("\(name).txt")
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw PromptError.missing(path: url.path)
            }
            return try PromptTemplate(name: name, fileText: text)
        }
        explorationPolicy = try load("exploration_policy")
        explorationPolicyOpenWeb = FileManager.default.fileExists(atPath: directory.appendingPathComponent("exploration_policy_openweb.txt").path)
            ? try load("exploration_policy_openweb") : nil
        explorationChoice = try load("exploration_choice")
        stateChange = try load("state_change")
        trajectoryLabeler = try load("trajectory_labeler")
        judge = try load("judge")
        actionRationalizer = try load("action_rationalizer")
        stopAction = try load("stop_action")
        studentPolicy = try load("student_policy")

        personas = [:]
        let personaDir = directory.appendingPathComponent("personas")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: personaDir.path)) ?? []
        for file in files where file.hasSuffix(".txt") {
            let site = String(file.dropLast(4))
            let text = try String(contentsOf: personaDir.appendingPathComponent(file), encoding: .utf8)
            personas[site] = text.split(separator: "\n").compactMap { Persona(line: String($0)) }
        }
        // Per-member files (`personas/openweb/www.example.com.txt`): one site of a family with its own personas.
        for family in files where !family.hasSuffix(".txt") {
            let folder = personaDir.appendingPathComponent(family)
            for file in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where file.hasSuffix(".txt") {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                personas["\(family)/\(file.dropLast(4))"] = text.split(separator: "\n").compactMap { Persona(line: String($0)) }
            }
        }
    }

    /// The policy prompt for a site: the open-web variant for `openweb/<host>` when it exists.
    public func explorationPolicy(site: String) -> PromptTemplate {
        site.hasPrefix("openweb/") ? explorationPolicyOpenWeb ?? explorationPolicy : explorationPolicy
    }

    /// The personas of a site, from `personas/<site>.txt`. A site named `<family>/<member>` (the
    /// MiniWoB++ task `miniwob/login-user`) uses `personas/<family>/<member>.txt` when it exists, else its
    /// family's file, `personas/<family>.txt`. A site
    /// without a file gets an error naming the file to write.
    public func personas(for site: String) throws -> [Persona] {
        if let own = personas[site], !own.isEmpty { return own }
        let file = site.split(separator: "/", maxSplits: 1).first.map(String.init) ?? site
        guard let list = personas[file], !list.isEmpty else {
            throw PromptError.noPersonas(site: site, path: "prompts/personas/\(file).txt")
        }
        return list
    }
}

/// A simulated user: NNetnav conditions exploration on "{name}: {description}". A persona may be
/// tied to a site account (`Name: description | account: emma.lopez@example.com`); the explorer
/// signs in as it, else as the site's default account.
public struct Persona: Sendable, Hashable, Codable {
    public var name: String
    public var description: String
    public var account: String?

    public init(name: String, description: String, account: String? = nil) {
        self.name = name
        self.description = description
        self.account = account
    }

    init?(line: String) {
        var trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { return nil }
        if let marker = trimmed.range(of: "| account:", options: .backwards) {
            let value = trimmed[marker.upperBound...].trimmingCharacters(in: .whitespaces)
            account = value.isEmpty ? nil : value
            trimmed = trimmed[..<marker.lowerBound].trimmingCharacters(in: .whitespaces)
        }
        guard let colon = trimmed.firstIndex(of: ":") else { return nil }
        name = trimmed[..<colon].trimmingCharacters(in: .whitespaces)
        description = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }

    /// The text the policy prompt shows (the account is not part of it).
    public var text: String { "\(name): \(description)" }
}
