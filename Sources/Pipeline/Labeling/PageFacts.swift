import Foundation

/// What a text observation states about its page, read from the accessibility-tree lines: the page's
/// subject (its title without the site name) and its label-value facts.
///
/// Facts come in the three shapes web pages print them in: a row header beside its cell (an infobox,
/// "Capital | Belas Bay"), a table with column headers (a listing, "f/books … Subscribers 19"), and a
/// "Label: value" text ("Price: $166.99"). Site chrome (navigation, search, header, footer, forms) is
/// skipped, as `CandidateActions.stops` skips it: answers are in the page's content.
public struct PageFacts: Sendable, Hashable {
    public struct Fact: Sendable, Hashable {
        /// What the value is, as the page labels it ("Capital", "Subscribers", "Price").
        public var label: String
        public var value: String
        /// What the value belongs to ("Drelarea", "f/books", "Hearthwell Compact Enamel Saucepan").
        public var subject: String
    }

    public var title: String
    public var subject: String
    public var facts: [Fact]

    /// Longest value kept: an answer is a short text, not a paragraph.
    static let maxValueLength = 60

    public init(observation text: String) {
        title = Self.title(of: text)
        var heading: String?
        var facts: [Fact] = []
        var tableName = ""
        var columns: [String] = []
        var rowDepth = -1
        var rowCells: [String] = []
        var rowHeader: String?
        var lastHeading: String?
        var previousLink: String?   // the link on the line just before, if it was one

        func flushRow() {
            defer { rowCells = []; rowDepth = -1; rowHeader = nil }
            guard columns.count >= 2, rowCells.count >= 2, let subject = rowCells.first, !subject.isEmpty else { return }
            for (label, value) in zip(columns.dropFirst(), rowCells.dropFirst()) {
                facts.append(Fact(label: label, value: value, subject: subject))
            }
        }

        for line in PageLines(text) {
            let depth = line.depth, element = line.element
            if rowDepth >= 0, depth <= rowDepth { flushRow() }
            guard !line.inChrome else { continue }
            let name = element.name.trimmingCharacters(in: .whitespacesAndNewlines)
            defer { previousLink = element.role == "link" && !name.isEmpty ? name : nil }
            // "60 articles", "13 points · submitted by", "4 comments": a count of the item it follows.
            if ["statictext", "link"].contains(element.role), let count = Self.count(in: name),
               let subject = element.role == "statictext" ? (previousLink ?? lastHeading) : lastHeading {
                facts.append(Fact(label: count.noun, value: count.number, subject: subject))
            }
            switch element.role {
            case "heading":
                if heading == nil, !name.isEmpty { heading = name }
                if !name.isEmpty { lastHeading = name }
            case "table", "grid":
                tableName = name
                columns = []
            case "row":
                rowDepth = depth
            case "columnheader":
                columns.append(name)
            case "rowheader":
                rowHeader = name
            case "cell", "gridcell":
                if let label = rowHeader, !label.isEmpty, !name.isEmpty {
                    let subject = tableName.isEmpty ? (heading ?? Self.subject(ofTitle: title)) : tableName
                    facts.append(Fact(label: label, value: name, subject: subject))
                    rowHeader = nil
                } else if rowDepth >= 0, depth == rowDepth + 1 {
                    rowCells.append(name)
                }
            case "statictext":
                if let stated = LabeledValue(name) {
                    facts.append(Fact(label: stated.label, value: stated.value, subject: heading ?? Self.subject(ofTitle: title)))
                }
            default:
                break
            }
        }
        if rowDepth >= 0 { flushRow() }
        subject = Self.pageSubject(heading: heading, title: title)
        self.facts = facts.filter { fact in
            fact.value.count <= Self.maxValueLength && !fact.value.contains("]") && !fact.subject.isEmpty
                && fact.label.count <= 40 && fact.value.contains(where: { $0.isLetter || $0.isNumber })
        }
    }

    /// "60 articles", "(60 articles)", "13 points · submitted by": the number and its plural noun.
    static func count(in text: String) -> (number: String, noun: String)? {
        let words = text.trimmingCharacters(in: CharacterSet(charactersIn: "()· ")).split(separator: " ")
        guard words.count >= 2, let first = words.first, first.first?.isNumber == true,
              first.allSatisfy({ $0.isNumber || $0 == "," }) else { return nil }
        let noun = words[1].trimmingCharacters(in: .punctuationCharacters)
        guard noun.count >= 3, noun.hasSuffix("s"), noun.allSatisfy(\.isLetter),
              words.count == 2 || words[2].allSatisfy({ !$0.isLetter }) else { return nil }
        return (String(first), noun.lowercased())
    }

    /// The tab header's title ("Tab 0 (current): Drelarea - Kiwix Encyclopedia"), else the root's name.
    static func title(of text: String) -> String {
        // The header and the root are the first lines: the rest of the page is not split.
        let lines = text.split(maxSplits: 4, whereSeparator: \.isNewline).prefix(4)
        for line in lines {
            if let range = line.range(of: "(current): ") { return String(line[range.upperBound...]).trimmingCharacters(in: .whitespaces) }
        }
        for line in lines {
            if let root = CandidateActions.elements(in: String(line)).first, root.role == "rootwebarea" { return root.name }
        }
        return ""
    }

    /// The page's subject: its title without the site name, else its first content heading. Not the
    /// heading first: an observation is a viewport, whose first heading changes as it scrolls (down a
    /// listing it is a post's, and "Open the page <that post>" would label a trajectory that never opened
    /// it), while the title names the same page in every window of it.
    static func pageSubject(heading: String?, title: String) -> String {
        let titled = subject(ofTitle: title)
        return titled.isEmpty ? heading ?? "" : titled
    }

    /// A title without its site name: "Drelarea - Kiwix Encyclopedia" → "Drelarea",
    /// "Hearthwell Saucepan | One Stop Market" → "Hearthwell Saucepan".
    public static func subject(ofTitle title: String) -> String {
        for separator in [" | ", " - ", " · ", " — "] {
            if let range = title.range(of: separator, options: .backwards) {
                return String(title[..<range.lowerBound]).trimmingCharacters(in: .whitespaces)
            }
        }
        return title
    }
}
