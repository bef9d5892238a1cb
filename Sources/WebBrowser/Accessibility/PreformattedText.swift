/// The name of a text node whose white space layout keeps (`<pre>`, `white-space: pre*`): Chromium
/// names such text with its inner line breaks and indentation, where ordinary text is collapsed,
/// and trims white space at either end (a code line's leading newline and indent are not in it).
enum PreformattedText {
    static func name(of text: String, _ whiteSpace: WhiteSpace) -> String {
        switch whiteSpace {
        case .collapse:
            return text.collapsingWhitespace().trimmingObservedSpaces()
        case .preserve:
            return trimmed(Substring(text))
        case .preserveBreaks:
            // Spaces and tabs collapse to one, and vanish next to a line break (CSS Text 3, 4.1.1).
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                line.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
            }
            return trimmed(Substring(lines.joined(separator: "\n")))
        }
    }

    static func trimmed(_ text: Substring) -> String {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }),
              let last = text.lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(text[first...last])
    }
}
