import Foundation
import WebBrowser

/// Why the native browser's observation (first) and Chromium's (second) differ on a page, line by
/// line, so a real-page benchmark can say what its remaining differences are. Unmatched lines are
/// paired up before they are counted alone: the same name under two roles is a role mismatch
/// (keyed by the role pair); the same role with related names is a name mismatch (keyed by how
/// the names differ); what is left is content one side has and the other lacks, split by whether
/// the page's markup holds its text (Chromium-only text the markup lacks was written by script).
public struct DisagreementCauses: Sendable {
    /// Lines per cause; a pair of differing lines counts once, as in `ObservationAgreement.rate`.
    public private(set) var lines: [String: Int] = [:]
    /// A few differences per cause, for the report.
    public private(set) var examples: [String: [String]] = [:]

    public init() {}

    /// Adds one page's differences. `markupText` is the page's text as its markup holds it
    /// (element text and attribute values), to tell script-written content; whitespace is ignored
    /// in the comparison, as a name from content joins text the markup splits across elements.
    public mutating func add(_ agreement: ObservationAgreement, markupText: String) {
        let markup = markupText.filter { !$0.isWhitespace }
        var native = agreement.onlyInFirst
        var chromium = agreement.onlyInSecond
        // The same text decoded two ways: a UTF-8 page without a declared charset, which Chromium
        // reads as windows-1252 (`â€™` for `’`) and the native browser as UTF-8 (`CharsetDetection`).
        pairOff(&native, &chromium) { n, c in
            guard c.role == n.role, !n.name.isEmpty, c.name != n.name, Self.asWindows1252(utf8: n.name) == c.name else { return nil }
            return ("charset: UTF-8 read as windows-1252 by Chromium", "\(n.role) '\(n.name.prefix(30))' vs '\(c.name.prefix(30))'")
        }
        // Same (non-empty) name, different role.
        pairOff(&native, &chromium) { n, c in
            guard !n.name.isEmpty, c.name == n.name else { return nil }
            return ("role \(n.role) (native) vs \(c.role) (chromium)", "\(n.role) vs \(c.role) '\(n.name.prefix(60))'")
        }
        // Same role, related names.
        pairOff(&native, &chromium) { n, c in
            guard c.role == n.role, let rule = Self.nameRule(n.name, c.name) else { return nil }
            return ("name of \(n.role): \(rule)", "'\(n.name.prefix(50))' vs '\(c.name.prefix(50))'")
        }
        // Lines left over on one side only; the longer side sets the count, as in the rate.
        var nativeCauses: [String] = [], chromiumCauses: [String] = []
        for entry in native {
            nativeCauses.append("only native: \(entry.role)")
            examples["only native: \(entry.role)", default: []].appendLimited("'\(entry.name.prefix(60))'")
        }
        for entry in chromium {
            let scripted = !entry.name.isEmpty && !markup.contains(entry.name.filter { !$0.isWhitespace })
            let cause = scripted ? "only chromium, text not in the markup (script-written): \(entry.role)"
                : "only chromium: \(entry.role)"
            chromiumCauses.append(cause)
            examples[cause, default: []].appendLimited("'\(entry.name.prefix(60))'")
        }
        // Unpaired lines of both sides overlap in the rate's denominator (max, not sum): charge the
        // longer side's causes fully, the shorter side's not at all.
        for cause in nativeCauses.count >= chromiumCauses.count ? nativeCauses : chromiumCauses {
            lines[cause, default: 0] += 1
        }
        for cause in nativeCauses.count >= chromiumCauses.count ? chromiumCauses : nativeCauses where lines[cause] == nil {
            lines[cause] = 0
        }
    }

    /// How two names of the same role differ, when they are plausibly the same thing; nil when
    /// they are unrelated.
    public static func nameRule(_ native: String, _ chromium: String) -> String? {
        if native.isEmpty { return "native unnamed" }
        if chromium.isEmpty { return "chromium unnamed" }
        let a = collapsed(native), b = collapsed(chromium)
        if a == b { return "whitespace" }
        if a.lowercased() == b.lowercased() { return "letter case (text-transform)" }
        let squeezedA = a.filter { !$0.isWhitespace }, squeezedB = b.filter { !$0.isWhitespace }
        if squeezedA == squeezedB { return "spacing between elements" }
        if b.contains(a) { return "chromium's longer" }
        if a.contains(b) { return "native's longer" }
        return nil
    }

    /// `text`'s UTF-8 bytes read as windows-1252 (its five unassigned bytes as C1 controls, as
    /// browsers decode them); nil for pure ASCII, which reads the same either way.
    static func asWindows1252(utf8 text: String) -> String? {
        guard text.utf8.contains(where: { $0 >= 0x80 }) else { return nil }
        var out = String.UnicodeScalarView()
        for byte in text.utf8 {
            if byte >= 0x80 && byte < 0xA0, let mapped = windows1252High[Int(byte - 0x80)] {
                out.append(mapped)
            } else {
                out.append(Unicode.Scalar(byte))
            }
        }
        return String(out)
    }

    /// windows-1252's 0x80–0x9F (nil: unassigned, decoded as the C1 control of the same number).
    private static let windows1252High: [Unicode.Scalar?] = [
        "\u{20AC}", nil, "\u{201A}", "\u{0192}", "\u{201E}", "\u{2026}", "\u{2020}", "\u{2021}",
        "\u{02C6}", "\u{2030}", "\u{0160}", "\u{2039}", "\u{0152}", nil, "\u{017D}", nil,
        nil, "\u{2018}", "\u{2019}", "\u{201C}", "\u{201D}", "\u{2022}", "\u{2013}", "\u{2014}",
        "\u{02DC}", "\u{2122}", "\u{0161}", "\u{203A}", "\u{0153}", nil, "\u{017E}", "\u{0178}",
    ]

    static func collapsed(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Pairs each native entry with the first Chromium entry `cause` gives a cause for, records that
    /// cause, and takes both out of the unpaired lines.
    private mutating func pairOff(_ native: inout [ObservationAgreement.Entry], _ chromium: inout [ObservationAgreement.Entry],
                                  cause: (ObservationAgreement.Entry, ObservationAgreement.Entry) -> (key: String, example: String)?) {
        var index = 0
        while index < native.count {
            let entry = native[index]
            var pair: (match: Int, found: (key: String, example: String))?
            for i in chromium.indices { if let found = cause(entry, chromium[i]) { pair = (i, found); break } }
            if let (match, found) = pair {
                record(found.key, found.example)
                chromium.remove(at: match)
                native.remove(at: index)
            } else {
                index += 1
            }
        }
    }

    private mutating func record(_ cause: String, _ example: String) {
        lines[cause, default: 0] += 1
        examples[cause, default: []].appendLimited(example)
    }

    /// Causes by line count, largest first, with up to three examples each.
    public func report(totalLines: Int) -> String {
        lines.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { cause, count in
            let share = totalLines > 0 ? Double(count) / Double(totalLines) * 100 : 0
            let shown = (examples[cause] ?? []).prefix(3).joined(separator: "; ")
            return String(format: "%6d lines %5.2f%%  %@\n        e.g. %@", count, share, cause, shown)
        }.joined(separator: "\n")
    }
}

private extension Array where Element == String {
    mutating func appendLimited(_ example: String) { if count < 3 { append(example) } }
}
