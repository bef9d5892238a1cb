/// The input rows of scored continuations as a prefix tree: continuation `c` needs rows for
/// `c[0...k]` (k < c.count − 1), whose logits score `c[k + 1]`; continuations sharing an opening
/// share those rows. A policy's candidates ("click [12]", "click [48]", "stop [$3]", …) repeat
/// their first tokens dozens of times, and every row is a full forward of the model.
struct ContinuationTrie {
    /// Per row, in creation order (a parent before its children): its token, its depth (0 for a
    /// continuation's first token) and the rows it attends to besides the prompt (its ancestors
    /// and itself, ascending).
    private(set) var tokens: [Int] = []
    private(set) var depths: [Int] = []
    private(set) var paths: [[Int]] = []
    private var children: [[Int: Int]] = []
    private var roots: [Int: Int] = [:]

    var rowCount: Int { tokens.count }

    init(_ continuations: [[Int]]) {
        for continuation in continuations where continuation.count > 1 {
            var parent: Int?
            for (k, token) in continuation.dropLast().enumerated() {
                if let row = child(of: parent, token) { parent = row; continue }
                let row = tokens.count
                tokens.append(token)
                depths.append(k)
                paths.append((parent.map { paths[$0] } ?? []) + [row])
                children.append([:])
                if let p = parent { children[p][token] = row } else { roots[token] = row }
                parent = row
            }
        }
    }

    private func child(of parent: Int?, _ token: Int) -> Int? {
        if let parent { return children[parent][token] }
        return roots[token]
    }

    /// The rows whose logits score `continuation[1...]`, in order.
    func rows(of continuation: [Int]) -> [Int] {
        var out: [Int] = []
        var parent: Int?
        for token in continuation.dropLast() {
            guard let row = child(of: parent, token) else { break }
            out.append(row)
            parent = row
        }
        return out
    }
}
