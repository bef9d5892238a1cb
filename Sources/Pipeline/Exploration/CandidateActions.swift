import Foundation
import WebBrowser

/// The valid actions on a page, enumerated from its accessibility-tree text, for the constrained
/// re-ask: a model too small to write the action grammar still ranks these by likelihood.
public enum CandidateActions {
    static let clickableRoles: Set<String> = ["link", "button", "menuitem", "tab", "checkbox", "radio", "option",
                                              "switch", "treeitem"]
    static let typableRoles: Set<String> = ["textbox", "searchbox", "combobox"]

    /// One interactive element of the observation text: `[id] role 'name' ...`.
    public struct Element: Sendable, Hashable {
        public var id: Int
        public var role: String
        public var name: String
    }

    public static func elements(in text: String) -> [Element] {
        var result: [Element] = []
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.drop(while: { $0 == "\t" || $0 == " " })
            guard line.first == "[", let close = line.firstIndex(of: "]"),
                  let id = Int(line[line.index(after: line.startIndex)..<close]) else { continue }
            let rest = line[line.index(after: close)...].drop(while: { $0 == " " })
            let role = String(rest.prefix(while: { !$0.isWhitespace }))
            var name = ""
            if let open = rest.firstIndex(where: { $0 == "'" || $0 == "\"" }) {
                let quote = rest[open]
                let after = rest[rest.index(after: open)...]
                name = String(after.prefix(while: { $0 != quote }))
            }
            result.append(Element(id: id, role: role.lowercased(), name: name))
        }
        return result
    }

    /// Candidate actions in page order: clicks on named clickable elements, typing persona words
    /// into text fields, then scrolling and going back. Capped at `limit`, deduplicated.
    public static func enumerate(observation: Observation, persona: Persona, step: Int, canGoBack: Bool,
                                 limit: Int) -> [BrowserAction] {
        var actions: [BrowserAction] = []
        var seenNames: Set<String> = []
        let words = searchWords(persona)
        for element in elements(in: observation.text) {
            if typableRoles.contains(element.role) {
                let text = words.isEmpty ? "help" : words[(step + element.id) % words.count]
                actions.append(.type(id: element.id, text: text, pressEnter: true))
            } else if clickableRoles.contains(element.role), !element.name.trimmingCharacters(in: .whitespaces).isEmpty,
                      seenNames.insert("\(element.role)|\(element.name)").inserted {
                actions.append(.click(id: element.id))
            }
        }
        var tail: [BrowserAction] = []
        if observation.viewportIndex + 1 < observation.viewportCount { tail.append(.scroll(.down)) }
        if canGoBack { tail.append(.goBack) }
        return Array(actions.prefix(max(0, limit - tail.count))) + tail
    }

    /// Content words of the persona's description, used as search text ("deals", "kitchen"...).
    static func searchWords(_ persona: Persona) -> [String] {
        let stop: Set<String> = ["searches", "looks", "browses", "reads", "checks", "before", "their", "about",
                                 "using", "across", "similar", "other", "which", "there", "where", "while", "quickly"]
        return persona.description.lowercased().split(whereSeparator: { !$0.isLetter })
            .map(String.init).filter { $0.count >= 5 && !stop.contains($0) }
    }
}
