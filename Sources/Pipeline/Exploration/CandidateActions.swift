import Foundation
import WebBrowser

/// The valid actions on a page, enumerated from its accessibility-tree text, for the constrained
/// re-ask: a model too small to write the action grammar still ranks these by likelihood. The
/// explorer and the evaluated policy use this one list.
public enum CandidateActions {
    static let clickableRoles: Set<String> = ["link", "button", "menuitem", "tab", "checkbox", "radio", "option",
                                              "switch", "treeitem"]
    static let typableRoles: Set<String> = ["textbox", "searchbox", "combobox"]

    /// What to type into text fields: the explorer types its persona's interests, the evaluated
    /// policy its objective's key phrase.
    public enum TypedText: Sendable, Hashable {
        case persona(Persona)
        case objective(String)
    }

    /// One interactive element of the observation text: `[id] role 'name' ...`.
    public struct Element: Sendable, Hashable {
        public var id: Int
        public var role: String
        public var name: String
        /// Marked `clickable: True`: a script made it clickable (`ScriptClickable`).
        public var scriptClickable = false
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
            result.append(Element(id: id, role: role.lowercased(), name: name, scriptClickable: ScriptClickable.isMarked(line)))
        }
        return result
    }

    /// Candidate actions in page order: clicks on named clickable elements and on elements a script made
    /// clickable (named or not: a board's cells have no text), typing into text fields (each phrase of an
    /// objective, one persona word), then scrolling and going back. Capped at `limit`, deduplicated by role
    /// and name.
    public static func enumerate(observation: Observation, typing: TypedText, step: Int, canGoBack: Bool,
                                 limit: Int) -> [BrowserAction] {
        var actions: [BrowserAction] = []
        var seenNames: Set<String> = []
        let texts = typedTexts(typing)
        for element in elements(in: observation.text) {
            if typableRoles.contains(element.role) {
                // A policy is offered each phrase of its objective; an explorer one persona word per field, rotating.
                if case .objective = typing, !texts.isEmpty {
                    actions += texts.map { .type(id: element.id, text: $0, pressEnter: true) }
                } else {
                    let text = texts.isEmpty ? "help" : texts[(step + element.id) % texts.count]
                    actions.append(.type(id: element.id, text: text, pressEnter: true))
                }
            } else if clickableRoles.contains(element.role) || element.scriptClickable {
                // A named control once per role and name; an unnamed one only when a script made it clickable
                // (a board's cells have no text, and each is its own move).
                let named = !element.name.trimmingCharacters(in: .whitespaces).isEmpty
                if named ? seenNames.insert("\(element.role)|\(element.name)").inserted : element.scriptClickable {
                    actions.append(.click(id: element.id))
                }
            }
        }
        var tail: [BrowserAction] = []
        if observation.viewportIndex + 1 < observation.viewportCount { tail.append(.scroll(.down)) }
        if canGoBack { tail.append(.goBack) }
        return Array(actions.prefix(max(0, limit - tail.count))) + tail
    }

    /// Whether going back can work: only after the episode was on another page. A step that stayed on its
    /// page (a scroll, a click a script handled) left no history entry, and going back from the first page
    /// leaves the site (a MiniWoB++ task page goes blank, and the episode with it).
    public static func canGoBack(visited: some Sequence<String>, current: String) -> Bool {
        visited.contains { $0 != current }
    }

    /// Roles whose names can answer a question about the page: a price or count (`StaticText`, `cell`), a
    /// title or name (`heading`, `link`).
    static let answerRoles: Set<String> = ["statictext", "cell", "gridcell", "rowheader", "heading", "link", "definition", "term"]

    /// Parts of a page that hold no answers: site navigation, the search form, headers and footers.
    static let chromeRoles: Set<String> = ["navigation", "search", "banner", "contentinfo", "menubar", "menu", "tablist", "form"]

    /// The evaluated policy's ways to finish, which a choice decoder can only take if they are offered:
    /// `stop []` (an objective that asks for nothing, or one judged done) and `stop [text]` for the first
    /// `limit` distinct short texts of the window outside navigation, search, header, footer and forms (an
    /// answer is almost always printed on the page); a "Label: value" text is offered as its value
    /// ("Price: $166.99" → `stop [$166.99]`). Without them a policy that decodes by choice could never
    /// answer, so every information task was lost.
    public static func stops(observation: Observation, limit: Int) -> [BrowserAction] {
        var stops: [BrowserAction] = [.stop(answer: "")]
        var seen: Set<String> = [""]
        for line in PageLines(observation.text) where stops.count <= limit {
            let element = line.element
            guard !line.inChrome, answerRoles.contains(element.role) else { continue }
            let name = element.name.trimmingCharacters(in: .whitespacesAndNewlines)
            let text = LabeledValue(name)?.value ?? name
            guard text.count <= 60, !text.contains("]"), seen.insert(text).inserted else { continue }
            stops.append(.stop(answer: text))
        }
        return stops
    }

    static func typedTexts(_ typing: TypedText) -> [String] {
        switch typing {
        case .persona(let persona): return searchWords(persona)
        case .objective(let objective): return objectivePhrases(objective)
        }
    }

    /// What a person would type for an objective, at most three: its quoted phrases, its runs of
    /// capitalised words after the first word (the names a search needs: "Perand River",
    /// "Station Eleven"), then `keyPhrase`.
    public static func objectivePhrases(_ objective: String) -> [String] {
        var phrases: [String] = []
        func add(_ phrase: String) {
            let trimmed = phrase.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters))
            if !trimmed.isEmpty, !phrases.contains(trimmed) { phrases.append(trimmed) }
        }
        for quote in ["\"", "'", "“"] {
            let parts = objective.components(separatedBy: quote)
            if parts.count >= 3 { stride(from: 1, to: parts.count - 1, by: 2).forEach { add(parts[$0]) } }
        }
        var run: [Substring] = []
        for (index, word) in objective.split(separator: " ").enumerated() {
            let bare = word.trimmingCharacters(in: .punctuationCharacters)
            if index > 0, bare.first?.isUppercase == true {
                run.append(Substring(bare))
                if word.last.map({ ",.?!;:".contains($0) }) == true { add(run.joined(separator: " ")); run = [] }
            } else {
                if !run.isEmpty { add(run.joined(separator: " ")) }
                run = []
            }
        }
        if !run.isEmpty { add(run.joined(separator: " ")) }
        add(keyPhrase(objective))
        return Array(phrases.prefix(3))
    }

    /// Content words of the persona's description, used as search text ("deals", "kitchen"...).
    static func searchWords(_ persona: Persona) -> [String] {
        let stop: Set<String> = ["searches", "looks", "browses", "reads", "checks", "before", "their", "about",
                                 "using", "across", "similar", "other", "which", "there", "where", "while", "quickly"]
        return persona.description.lowercased().split(whereSeparator: { !$0.isLetter })
            .map(String.init).filter { $0.count >= 5 && !stop.contains($0) }
    }

    /// A quoted phrase of the objective if it has one ("search for 'desk lamp'"), else its last
    /// few content words.
    public static func keyPhrase(_ objective: String) -> String {
        for quote in ["\"", "'", "“"] {
            let parts = objective.components(separatedBy: quote)
            if parts.count >= 3, !parts[1].trimmingCharacters(in: .whitespaces).isEmpty { return parts[1] }
        }
        let words = objective.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
            .filter { $0.count > 3 }
        return words.suffix(3).joined(separator: " ")
    }

    /// The candidate list as the constrained re-ask prompt shows it: one action per line.
    public static func promptList(_ candidates: [BrowserAction]) -> String {
        candidates.map { "- \($0)" }.joined(separator: "\n")
    }

    /// The candidate a model's answer names, read leniently: the exact action, the action in a
    /// ``` fence, after a list bullet or in quotes, the first action-like line, or the list number
    /// ("3"). Actions compare as parsed values, so `type [4] [deals]` matches `type [4] [deals] [1]`.
    public static func match(_ answer: String, in candidates: [BrowserAction]) -> BrowserAction? {
        let trimmed = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        if let exact = candidates.first(where: { $0.description == trimmed }) { return exact }
        var readings: [String] = []
        if let span = ActionParser.firstFencedSpan(in: trimmed) { readings.append(span) }
        for line in trimmed.split(whereSeparator: \.isNewline) {
            readings.append(line.trimmingCharacters(in: CharacterSet(charactersIn: " \t-*•\"'`.:")))
        }
        for reading in readings {
            let parsed = ActionParser.parse(action: reading)
            if parsed.isValid, let found = candidates.first(where: { ModuleOutputParsing.sameAction($0, parsed) }) { return found }
            // A line such as "click [12] where [12] is link 'Home'": its leading action.
            if let end = reading.range(of: " where ") {
                let head = ActionParser.parse(action: String(reading[..<end.lowerBound]))
                if head.isValid, let found = candidates.first(where: { ModuleOutputParsing.sameAction($0, head) }) { return found }
            }
        }
        let digits = trimmed.trimmingCharacters(in: CharacterSet(charactersIn: " .)-#"))
        if let number = Int(digits), number >= 1, number <= candidates.count { return candidates[number - 1] }
        return nil
    }
}
