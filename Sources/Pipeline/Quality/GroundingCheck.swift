import Foundation

/// A programmatic instruction-trajectory consistency check for the bundled sites, independent of the
/// judge that pruned: the instruction must name something the trajectory reached.
///
/// Grounded when (1) at least one content word of the instruction is in a page title the trajectory
/// visited, in the name of an element it acted on, or in the stop answer, and (2) at least half of the
/// instruction's content words appear somewhere in the pages it saw. "Open the Kettle product page" on a
/// trajectory that ended on "Kettle $19.99" passes; "Keep your answers in a tabular format" cannot.
public enum GroundingCheck {
    public static func isGrounded(_ demo: Demonstration) -> Bool {
        let content = contentWords(demo.instruction)
        guard !content.isEmpty else { return false }
        let pages = demo.steps.map(\.observation) + [demo.finalObservation]
        var named = Set(pages.flatMap { words(title(of: $0)) })
        for step in demo.steps { named.formUnion(words(target(of: step.actionDescription))) }
        named.formUnion(words(demo.stopAnswer))
        let seen = Set(pages.flatMap { words($0) })
        guard content.contains(where: named.contains) else { return false }
        return Double(content.filter(seen.contains).count) >= Double(content.count) / 2
    }

    /// Lowercased words with a plural "s" removed, so "kettles" meets "Kettle".
    static func words(_ text: String) -> [String] {
        TextMeasures.tokens(text).map { $0.count > 3 && $0.hasSuffix("s") && !$0.hasSuffix("ss") ? String($0.dropLast()) : $0 }
    }

    static func contentWords(_ instruction: String) -> [String] {
        words(instruction).filter { !stopWords.contains($0) && !InstructionFilter.imperativeVerbs.contains($0) && $0.count > 1 }
    }

    static func title(of observation: String) -> String {
        guard let line = observation.split(separator: "\n").first, line.hasPrefix("Tab ") else { return "" }
        return line.split(separator: ":", maxSplits: 1).last.map(String.init) ?? ""
    }

    /// "link 'Kettle'" of "click [12] where [12] is link 'Kettle'".
    static func target(of description: String) -> String {
        guard let range = description.range(of: " is ", options: .backwards) else { return "" }
        return String(description[range.upperBound...])
    }

    static let stopWords: Set<String> = [
        "the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "with", "at", "by", "from", "into", "about",
        "this", "that", "these", "those", "it", "its", "their", "his", "her", "my", "our", "your", "all", "any",
        "some", "each", "every", "then", "after", "before", "page", "pages", "site", "website", "web", "section",
        "link", "button", "tab", "list", "new", "first", "last", "one", "two", "three", "is", "are", "be", "what",
        "which", "how", "many", "much", "there", "where", "when", "who", "up", "out", "more", "most", "detail",
        "details", "information", "info", "option", "available", "current", "currently", "visiting", "visit",
    ]
}
