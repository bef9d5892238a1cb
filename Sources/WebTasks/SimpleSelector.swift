import WebBrowser

/// The CSS subset page-content checks use: compound selectors `tag#id.class[attr=value]`
/// (each part optional) joined by spaces as descendant combinators, e.g. `main table td.total`.
struct SimpleSelector: Sendable {
    struct Compound: Sendable {
        var tag: String?
        var id: String?
        var classes: [String] = []
        var attributes: [(String, String?)] = []

        func matches(_ e: HTMLElement) -> Bool {
            if let tag, tag != "*", e.tag != tag { return false }
            if let id, e.id != id { return false }
            let own = Set((e.attribute("class") ?? "").split(separator: " ").map(String.init))
            if !classes.allSatisfy(own.contains) { return false }
            for (name, value) in attributes {
                guard let v = e.attribute(name) else { return false }
                if let value, v != value { return false }
            }
            return true
        }
    }

    let parts: [Compound]

    /// Nil when the selector uses syntax outside the subset.
    init?(_ text: String) {
        var parts: [Compound] = []
        for piece in text.split(separator: " ", omittingEmptySubsequences: true) {
            guard let c = Self.compound(String(piece)) else { return nil }
            parts.append(c)
        }
        guard !parts.isEmpty else { return nil }
        self.parts = parts
    }

    private static func compound(_ s: String) -> Compound? {
        var c = Compound()
        var i = s.startIndex
        func readName() -> String {
            let start = i
            while i < s.endIndex, s[i].isLetter || s[i].isNumber || s[i] == "-" || s[i] == "_" || s[i] == "*" { i = s.index(after: i) }
            return String(s[start..<i])
        }
        let tag = readName()
        if !tag.isEmpty { c.tag = tag.lowercased() }
        while i < s.endIndex {
            let ch = s[i]
            i = s.index(after: i)
            switch ch {
            case "#": c.id = readName()
            case ".": c.classes.append(readName())
            case "[":
                guard let close = s[i...].firstIndex(of: "]") else { return nil }
                let body = s[i..<close]
                i = s.index(after: close)
                let kv = body.split(separator: "=", maxSplits: 1)
                let name = kv[0].trimmingCharacters(in: .whitespaces)
                let value = kv.count > 1 ? kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"' ")) : nil
                c.attributes.append((name, value))
            default: return nil
            }
        }
        return c
    }

    /// Elements under `root` matching the whole chain, in document order.
    func select(in root: HTMLElement) -> [HTMLElement] {
        root.descendants().filter { e in
            guard parts.last!.matches(e) else { return false }
            // Walk ancestors right to left for the remaining compounds.
            var k = parts.count - 2
            var node = e.parent
            while k >= 0, let n = node {
                if parts[k].matches(n) { k -= 1 }
                node = n.parent
            }
            return k < 0
        }
    }
}

import Foundation
