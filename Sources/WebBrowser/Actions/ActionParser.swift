import Foundation

/// Reads actions from language-model output.
///
/// Models answer "... In summary, the next action I will perform is ```click [12]```".
/// The action is the first triple-backtick span; without one, the last line that starts
/// with a known verb is used. Anything else becomes `.invalid` with a reason, never a crash.
public enum ActionParser {
    public static let verbs = ["click", "type", "hover", "press", "scroll", "select_option", "new_tab",
                               "tab_focus", "close_tab", "goto", "go_back", "go_forward", "stop"]

    /// Extracts and parses the action from a full model response.
    public static func parse(response: String) -> BrowserAction {
        if let span = firstFencedSpan(in: response) {
            return parse(action: span)
        }
        // Fallback: a bare action on its own line (small models often drop the fences).
        for line in response.split(whereSeparator: \.isNewline).reversed() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if verbs.contains(where: { trimmed.hasPrefix($0) }) { return parse(action: trimmed) }
        }
        return .invalid(raw: response, reason: "no action found: wrap the action in ``` fences, e.g. ```click [12]```")
    }

    /// The text between the first pair of ``` fences, with a language tag line removed.
    public static func firstFencedSpan(in text: String) -> String? {
        guard let open = text.range(of: "```") else { return nil }
        let rest = text[open.upperBound...]
        guard let close = rest.range(of: "```") else { return nil }
        var span = String(rest[..<close.lowerBound])
        if let newline = span.firstIndex(of: "\n"),
           span[..<newline].allSatisfy({ $0.isLetter }) && !verbs.contains(String(span[..<newline])) {
            span = String(span[span.index(after: newline)...])
        }
        return span.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Parses one action string such as `type [12] [hello] [0]`.
    public static func parse(action raw: String) -> BrowserAction {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        let verbEnd = text.firstIndex(where: { $0 == "[" || $0 == " " || $0 == "(" }) ?? text.endIndex
        let verb = String(text[..<verbEnd]).lowercased()
        let args = bracketArguments(String(text[verbEnd...]))
        func fail(_ reason: String) -> BrowserAction { .invalid(raw: text, reason: reason) }
        func id(_ i: Int) -> Int? { args.count > i ? Int(args[i].trimmingCharacters(in: .whitespaces)) : nil }

        switch verb {
        case "click", "hover":
            guard let element = id(0) else { return fail("\(verb) needs a numeric element id: \(verb) [id]") }
            return verb == "click" ? .click(id: element) : .hover(id: element)
        case "type":
            guard let element = id(0), args.count >= 2 else {
                return fail("type needs an element id and text: type [id] [text] [0|1]")
            }
            // WebArena defaults to pressing Enter after typing when the flag is missing.
            let enter = args.count >= 3 ? args[2].trimmingCharacters(in: .whitespaces) != "0" : true
            return .type(id: element, text: args[1], pressEnter: enter)
        case "press":
            guard let keys = args.first, !keys.isEmpty else { return fail("press needs a key combination: press [Enter]") }
            return .press(keys: keys)
        case "scroll":
            let direction = (args.first ?? text.split(separator: " ").dropFirst().first.map(String.init) ?? "")
                .lowercased().replacingOccurrences(of: "direction=", with: "")
            guard let d = BrowserAction.ScrollDirection(rawValue: direction.trimmingCharacters(in: .whitespaces)) else {
                return fail("scroll needs a direction: scroll [down] or scroll [up]")
            }
            return .scroll(d)
        case "select_option":
            guard let element = id(0), args.count >= 2 else {
                return fail("select_option needs an element id and a value: select_option [id] [value]")
            }
            return .selectOption(id: element, value: args[1])
        case "new_tab": return .newTab
        case "close_tab": return .closeTab
        case "go_back": return .goBack
        case "go_forward": return .goForward
        case "tab_focus":
            guard let index = id(0) else { return fail("tab_focus needs a tab index: tab_focus [0]") }
            return .tabFocus(index: index)
        case "goto":
            guard let url = args.first, !url.isEmpty else { return fail("goto needs a URL: goto [http://...]") }
            return .goto(url: url)
        case "stop":
            return .stop(answer: args.first ?? "")
        default:
            return fail("unknown action '\(verb)'; valid actions: \(verbs.joined(separator: ", "))")
        }
    }

    /// Splits `[a] [b c] [d]` into ["a", "b c", "d"]. Text typed may itself contain
    /// brackets, so the second argument of `type` extends to the last `] [` before the flag.
    static func bracketArguments(_ text: String) -> [String] {
        var args: [String] = []
        var depth = 0
        var current = ""
        for ch in text {
            if ch == "[" {
                if depth > 0 { current.append(ch) }
                depth += 1
            } else if ch == "]" && depth > 0 {
                depth -= 1
                if depth == 0 { args.append(current); current = "" } else { current.append(ch) }
            } else if depth > 0 {
                current.append(ch)
            }
        }
        if depth > 0 && !current.isEmpty { args.append(current) }
        return args
    }
}
