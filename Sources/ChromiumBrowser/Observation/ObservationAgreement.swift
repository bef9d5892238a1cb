import Foundation
import WebBrowser

/// How closely two backends' observations of the same page agree on roles and names, ignoring
/// ids, properties, indentation and order: the multiset of `(role, name)` lines is compared.
public struct ObservationAgreement: Sendable, CustomStringConvertible {
    public struct Entry: Sendable, Hashable, Comparable {
        public var role: String
        public var name: String
        public static func < (a: Entry, b: Entry) -> Bool { (a.role, a.name) < (b.role, b.name) }
    }

    public var matched: Int
    /// Lines only the first (reference) observation has, and only the second has.
    public var onlyInFirst: [Entry]
    public var onlyInSecond: [Entry]

    /// Matched lines over the larger of the two line counts (1 when both are empty).
    public var rate: Double {
        let total = matched + max(onlyInFirst.count, onlyInSecond.count)
        return total == 0 ? 1 : Double(matched) / Double(total)
    }

    public init(_ first: String, _ second: String) {
        var remaining: [Entry: Int] = [:]
        for entry in Self.entries(first) { remaining[entry, default: 0] += 1 }
        var matched = 0
        var onlySecond: [Entry] = []
        for entry in Self.entries(second) {
            if let count = remaining[entry], count > 0 {
                remaining[entry] = count - 1
                matched += 1
            } else {
                onlySecond.append(entry)
            }
        }
        self.matched = matched
        onlyInFirst = remaining.flatMap { entry, count in Array(repeating: entry, count: count) }.sorted()
        onlyInSecond = onlySecond.sorted()
    }

    /// `(role, name)` of each `[id] role 'name' ...` line; the tab header and blank lines are skipped.
    public static func entries(_ text: String) -> [Entry] {
        text.split(separator: "\n").compactMap { raw in
            let line = raw.drop { $0 == "\t" || $0 == " " }
            guard line.first == "[", let close = line.firstIndex(of: "]") else { return nil }
            let rest = line[line.index(after: close)...].dropFirst()
            guard let space = rest.firstIndex(of: " ") else { return Entry(role: String(rest), name: "") }
            let role = String(rest[..<space])
            let quoted = rest[rest.index(after: space)...]
            return Entry(role: role, name: unquote(quoted))
        }
    }

    /// Reads the Python-repr'd name at the start of `text` (`'a\'b' prop: v` -> `a'b`).
    static func unquote(_ text: Substring) -> String {
        guard let quote = text.first, quote == "'" || quote == "\"" else { return "" }
        var out = ""
        var escaped = false
        for ch in text.dropFirst() {
            if escaped {
                switch ch {
                case "n": out.append("\n")
                case "t": out.append("\t")
                default: out.append(ch)
                }
                escaped = false
            } else if ch == "\\" {
                escaped = true
            } else if ch == quote {
                break
            } else {
                out.append(ch)
            }
        }
        return out
    }

    public var description: String {
        var out = String(format: "%.1f%% agreement (%d matched", rate * 100, matched)
        out += ", \(onlyInFirst.count) only in first, \(onlyInSecond.count) only in second)"
        return out
    }

    /// A few differing lines, for reports.
    public func sampleDifferences(limit: Int = 5) -> String {
        func show(_ e: Entry) -> String { "\(e.role) \(ObservationRenderer.pythonRepr(e.name))" }
        var lines: [String] = []
        for e in onlyInFirst.prefix(limit) { lines.append("  - \(show(e))") }
        for e in onlyInSecond.prefix(limit) { lines.append("  + \(show(e))") }
        return lines.joined(separator: "\n")
    }
}
