import Foundation

/// Decides, without a model, whether a labeler's text is an instruction a user could give about a web
/// site. A 135M labeler often answers with code, chat filler ("I'm ready to help..."), questions to the
/// user or unrelated prose, and its judge scores them 4-5 (issue 15 §0); none of these can teach a policy.
///
/// The rule is deliberately shaped like WebArena intents: an imperative ("Find ...", "Add ... to the
/// cart") or an information question ("What is the price of ...?"), in plain words.
public enum InstructionFilter {
    /// Why `text` is not a site instruction, or nil when it is one.
    public static func rejection(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let lower = trimmed.lowercased()
        let words = TextMeasures.tokens(trimmed)
        guard words.count >= 3 else { return "fewer than 3 words" }
        if let mark = codeMarker(trimmed) { return "looks like code (\(mark))" }
        if let phrase = fillerPhrases.first(where: { lower.contains($0) }) {
            return "chat filler (\"\(phrase)\")"
        }
        var first = words[0]
        if first == "please", words.count > 1 { first = words[1] }
        if trimmed.hasSuffix("?") || questionWords.contains(first) {
            // Information-seeking tasks are questions about the site; a question addressed to the user is not.
            if words.contains("you") || words.contains("your") || words.contains("i") || words.contains("me") {
                return "a question to the user"
            }
            return questionWords.contains(first) ? nil : "a question that is not about the site"
        }
        if words.contains("you") && (words.contains("i") || words.contains("me")) {
            return "talks to the user"
        }
        guard imperativeVerbs.contains(first) else { return "does not start with an action (\"\(first)\")" }
        return nil
    }

    /// Whether `text` passes the filter.
    public static func accepts(_ text: String) -> Bool { rejection(text) == nil }

    /// Programming syntax: keywords at the start, member access on identifiers, operators, braces.
    static func codeMarker(_ text: String) -> String? {
        for symbol in ["{", "}", "=>", "==", "!=", "&&", "||", "?.", "->", "();", "</", "/>", "::", "#include", "$("]
        where text.contains(symbol) { return symbol }
        if text.hasSuffix(";") { return "trailing ;" }
        let lowerWords = text.lowercased().split(whereSeparator: \.isWhitespace).map(String.init)
        if let head = lowerWords.first, codeKeywords.contains(head) { return "starts with \"\(head)\"" }
        if text.contains(" = ") && !text.contains("=  ") { return "assignment" }
        // `a.b` or `a._b` between identifier characters (not a sentence's full stop, not a decimal, not a domain-like URL).
        let scalars = Array(text.unicodeScalars)
        for i in scalars.indices.dropFirst().dropLast() where scalars[i] == "." {
            let before = scalars[i - 1], after = scalars[i + 1]
            let identifier = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_)]"))
            if identifier.contains(before) && (after == "_" || CharacterSet.lowercaseLetters.contains(after))
                && !CharacterSet.decimalDigits.contains(before) {
                // A web address is an allowed thing to name in an instruction.
                let word = text.split(whereSeparator: \.isWhitespace).first { $0.unicodeScalars.contains(where: { $0 == scalars[i] }) }
                if let word, word.contains("/") || word.hasPrefix("www") { continue }
                return "member access"
            }
        }
        if text.range(of: #"[A-Za-z_]+\[[0-9]+\]"#, options: .regularExpression) != nil { return "indexing" }
        return nil
    }

    static let codeKeywords: Set<String> = [
        "var", "let", "const", "def", "function", "func", "class", "import", "public", "private",
        "static", "struct", "#", "//", "if(", "for(", "print(", "console.log(", "<div", "<html",
    ]

    /// Assistant chatter and meta-talk about answering; lowercased substrings.
    static let fillerPhrases: [String] = [
        "i'm ready to", "i am ready to", "ready to help", "happy to help", "glad to help", "how can i help",
        "how may i", "i can help", "i'd be happy", "i would be happy", "let me know", "feel free",
        "please provide", "provide more", "your specific", "as an ai", "language model", "i'm sorry", "i am sorry",
        "i apologize", "sure,", "sure!", "certainly", "of course", "here is", "here are", "here's",
        "thank you", "thanks for", "hope this helps", "in summary", "the next action", "step-by-step",
        "your answer", "your answers", "this question", "tabular format", "in a table format",
        "the given", "the above", "the following", "this trajectory", "the trajectory", "the agent",
        "the assistant", "instruction:", "thought:", "objective:",
    ]

    static let questionWords: Set<String> = ["what", "which", "how", "when", "where", "who", "whose", "is", "are",
                                             "does", "do", "was", "were", "can", "could", "would", "will", "should"]

    /// Verbs a web task starts with (WebArena, Mind2Web and NNetnav instructions).
    static let imperativeVerbs: Set<String> = [
        "add", "apply", "archive", "ask", "assign", "block", "book", "bookmark", "browse", "buy", "cancel", "change",
        "check", "choose", "clear", "click", "close", "comment", "compare", "compose", "configure", "confirm",
        "contact", "copy", "count", "create", "delete", "describe", "determine", "disable", "discover", "display",
        "dislike", "download", "downvote", "draft", "edit", "email", "empty", "enable", "enter", "explore", "export",
        "favorite", "fill", "filter", "find", "follow", "fork", "get", "give", "go", "identify", "invite", "join",
        "leave", "like", "list", "locate", "log", "look", "make", "mark", "merge", "message", "modify", "move",
        "navigate", "note", "open", "order", "pay", "pick", "pin", "place", "post", "print", "publish", "purchase",
        "rate", "read", "reject", "remove", "rename", "reorder", "reply", "report", "request", "reset", "retrieve",
        "return", "review", "save", "scroll", "search", "see", "select", "send", "set", "share", "show", "sign",
        "sort", "star", "start", "submit", "subscribe", "summarize", "switch", "tell", "track", "type", "unfollow",
        "unsubscribe", "update", "upload", "upvote", "use", "verify", "view", "visit", "vote", "watch", "write",
    ]
}
