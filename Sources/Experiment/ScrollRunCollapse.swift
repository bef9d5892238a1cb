import Foundation

/// Balances a demonstration set's SFT rows: of each run of consecutive scroll rows of one
/// demonstration (ids `episode:depth:step`), only the first is kept. A scripted solution scrolls
/// until its element shows, so `scroll [down]` — one identical target — was 23% of the oracle's
/// rows, and a short fine-tuning learned to scroll on every page (session 6's experiment). The
/// first scroll of a run still teaches when to scroll; the rest repeat it.
public enum ScrollRunCollapse {
    struct Row: Decodable {
        struct Message: Decodable { var role: String; var content: String }
        var id: String
        var messages: [Message]
    }

    /// Writes the kept lines of `rows` to `output` (unchanged bytes, same order) and returns it.
    public static func write(_ rows: URL, to output: URL) throws -> URL {
        let lines = try String(contentsOf: rows, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
        let kept = try keep(lines.map(String.init))
        try Data((kept.joined(separator: "\n") + (kept.isEmpty ? "" : "\n")).utf8).write(to: output, options: .atomic)
        return output
    }

    /// The lines kept, in their order (which need not be step order).
    public static func keep(_ lines: [String]) throws -> [String] {
        let rows = try lines.map { try JSONDecoder().decode(Row.self, from: Data($0.utf8)) }
        func place(_ row: Row) -> (demonstration: String, step: Int) {
            let parts = row.id.split(separator: ":")
            return (parts.dropLast().joined(separator: ":"), parts.last.flatMap { Int($0) } ?? -1)
        }
        func isScroll(_ row: Row) -> Bool {
            row.messages.last { $0.role == "assistant" }?.content.contains("```scroll [") ?? false
        }
        let scrolls = Set(rows.filter(isScroll).map { place($0) }.map { "\($0.demonstration)#\($0.step)" })
        return zip(lines, rows).compactMap { line, row in
            let (demonstration, step) = place(row)
            return isScroll(row) && scrolls.contains("\(demonstration)#\(step - 1)") ? nil : line
        }
    }
}
