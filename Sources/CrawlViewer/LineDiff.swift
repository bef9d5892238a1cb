/// Which lines of two observations changed, for showing a step's page before and after side by side.
///
/// Element ids in observations are renumbered on every page load, so lines are compared with their
/// leading `[id]` removed: a link that merely got a new id is not a change a reader cares about.
enum LineDiff {
    struct Marked: Equatable {
        var text: String
        var changed: Bool
    }

    /// Marks the lines of `before` that are gone and the lines of `after` that are new, from a longest
    /// common subsequence; pages too large for the quadratic table fall back to set membership.
    static func compare(before: String, after: String) -> (before: [Marked], after: [Marked]) {
        let a = before.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = after.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let ka = a.map(key), kb = b.map(key)
        guard a.count * b.count <= 4_000_000 else {
            let inA = Set(ka), inB = Set(kb)
            return (zip(a, ka).map { Marked(text: $0, changed: !inB.contains($1)) },
                    zip(b, kb).map { Marked(text: $0, changed: !inA.contains($1)) })
        }
        // lengths[i][j] = LCS of ka[i...] and kb[j...], in one flat buffer.
        let width = kb.count + 1
        var lengths = [Int32](repeating: 0, count: (ka.count + 1) * width)
        for i in stride(from: ka.count - 1, through: 0, by: -1) {
            for j in stride(from: kb.count - 1, through: 0, by: -1) {
                lengths[i * width + j] = ka[i] == kb[j] ? lengths[(i + 1) * width + j + 1] + 1
                    : max(lengths[(i + 1) * width + j], lengths[i * width + j + 1])
            }
        }
        var keptA = [Bool](repeating: false, count: a.count), keptB = [Bool](repeating: false, count: b.count)
        var i = 0, j = 0
        while i < ka.count, j < kb.count {
            if ka[i] == kb[j] { keptA[i] = true; keptB[j] = true; i += 1; j += 1 }
            else if lengths[(i + 1) * width + j] >= lengths[i * width + j + 1] { i += 1 } else { j += 1 }
        }
        return (a.indices.map { Marked(text: a[$0], changed: !keptA[$0]) },
                b.indices.map { Marked(text: b[$0], changed: !keptB[$0]) })
    }

    /// The line without its indentation and leading element id.
    static func key(_ line: String) -> Substring {
        var s = line.drop { $0 == " " || $0 == "\t" }
        if s.first == "[", let close = s.firstIndex(of: "]"), s[s.index(after: s.startIndex)..<close].allSatisfy(\.isNumber) {
            s = s[s.index(after: close)...]
        }
        return s
    }
}
