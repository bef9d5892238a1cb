import Foundation

extension QualityReport {
    /// Rows of the quality table: (label, value per site + overall).
    var rows: [(String, (SiteQuality) -> String)] {
        func pct(_ v: Double?) -> String { v.map { String(format: "%.0f%%", $0 * 100) } ?? "-" }
        func num(_ v: Double?) -> String { v.map { String(format: "%.2f", $0) } ?? "-" }
        return [
            ("demonstrations", { "\($0.demonstrations)" }),
            ("distinct-1", { num($0.distinct1) }),
            ("distinct-2", { num($0.distinct2) }),
            ("near-duplicate rate", { pct($0.nearDuplicateRate) }),
            ("topic spread (sections)", { q in q.topicSpread.map { String(format: "%.2f (%d)", $0, q.topics) } ?? "-" }),
            ("actions explored", { "\($0.actions)" }),
            ("action mix", { q in
                q.actionMix.sorted { $0.value > $1.value }.prefix(3)
                    .map { "\($0.key) \(Int((Double($0.value) / Double(max(1, q.actions)) * 100).rounded()))%" }
                    .joined(separator: " ") }),
            ("failed-action rate", { pct($0.failedActionRate) }),
            ("signed-in coverage", { pct($0.signedInRate) }),
            ("template rationales", { pct($0.templateRationaleRate) }),
            ("judge scores 1/2/3/4/5", { q in (1...5).map { "\(q.judgeScores[$0] ?? 0)" }.joined(separator: "/") }),
            ("instruction filter pass", { pct($0.instructionFilterPassRate) }),
            ("grounded (programmatic)", { pct($0.groundedRate) }),
            ("contrastive consistency", { num($0.meanConsistency) }),
            ("replay rate (replayed)", { q in q.replayRate.map { String(format: "%.0f%% (%d)", $0 * 100, q.replayed) } ?? "-" }),
        ]
    }

    /// The quality table, one column per site and one for all sites.
    public var table: String {
        let columns = sites + [overall]
        let labelWidth = rows.map(\.0.count).max() ?? 0
        let cells = rows.map { row in columns.map { row.1($0) } }
        let widths = columns.indices.map { c in max(columns[c].site.count, cells.map { $0[c].count }.max() ?? 0) }
        func line(_ label: String, _ values: [String]) -> String {
            label.padding(toLength: labelWidth, withPad: " ", startingAt: 0) + "  "
                + values.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        var lines = ["Data quality (see datasets/schema.md, \"Quality measurements\"):",
                     line("", columns.map(\.site))]
        for (row, values) in zip(rows, cells) { lines.append(line(row.0, values)) }
        if let c = callsPerDemonstration, let t = tokensPerDemonstration {
            lines.append(String(format: "Cost: %.1f model calls and %.0f tokens per accepted demonstration (%d calls, %d tokens)",
                                c, t, calls, tokens)
                         + (callsPerUsableDemonstration.map { String(format: "; %.1f calls per demonstration passing the instruction filter", $0) }
                            ?? "; no demonstration passes the instruction filter"))
        } else {
            lines.append("Cost: \(calls) model calls, \(tokens) tokens, no accepted demonstration")
        }
        return lines.map { $0.replacingOccurrences(of: #"\s+$"#, with: "", options: .regularExpression) }.joined(separator: "\n")
    }

    /// A self-contained HTML report: the table and SVG bar charts (rates per site, judge scores, action mix).
    public var html: String {
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;")
        }
        let columns = sites + [overall]
        var body = "<h1>Crawl data quality</h1>\n<table>\n<tr><th></th>"
            + columns.map { "<th>\(esc($0.site))</th>" }.joined() + "</tr>\n"
        for row in rows {
            body += "<tr><td>\(esc(row.0))</td>" + columns.map { "<td>\(esc(row.1($0)))</td>" }.joined() + "</tr>\n"
        }
        body += "</table>\n"
        if let c = callsPerDemonstration, let t = tokensPerDemonstration {
            body += String(format: "<p>%.1f model calls and %.0f tokens per accepted demonstration.</p>\n", c, t)
        }
        let rates: [(String, (SiteQuality) -> Double?)] = [
            ("failed actions", \.failedActionRate), ("signed in", \.signedInRate),
            ("template rationales", \.templateRationaleRate), ("near duplicates", \.nearDuplicateRate),
            ("filter pass", \.instructionFilterPassRate), ("grounded", \.groundedRate), ("replayed", \.replayRate),
        ]
        for (title, value) in rates {
            body += "<h2>\(esc(title))</h2>\n" + Self.barChart(columns.map { ($0.site, value($0) ?? 0, value($0) == nil) }, maximum: 1,
                                                                percent: true)
        }
        body += "<h2>judge scores (all sites)</h2>\n"
            + Self.barChart((1...5).map { ("\($0)", Double(overall.judgeScores[$0] ?? 0), false) },
                            maximum: Double(max(1, overall.judgeScores.values.max() ?? 1)), percent: false)
        body += "<h2>action mix (all sites)</h2>\n"
            + Self.barChart(overall.actionMix.sorted { $0.value > $1.value }.map { ($0.key, Double($0.value), false) },
                            maximum: Double(max(1, overall.actionMix.values.max() ?? 1)), percent: false)
        return """
            <!doctype html>
            <html><head><meta charset="utf-8"><title>nnetnav crawl quality</title>
            <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child{text-align:left}</style>
            </head><body>
            \(body)</body></html>

            """
    }

    /// Horizontal bars; `missing` bars are drawn as "n/a".
    static func barChart(_ bars: [(String, Double, Bool)], maximum: Double, percent: Bool) -> String {
        let rowHeight = 22, labelWidth = 150, barWidth = 300
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(labelWidth + barWidth + 80)\" height=\"\(rowHeight * max(1, bars.count) + 4)\">"
        for (i, (barLabel, barValue, barMissing)) in bars.enumerated() {
            let bar = (label: barLabel, value: barValue, missing: barMissing)
            let y = i * rowHeight + 2
            let width = bar.missing ? 0 : Int((bar.value / max(maximum, 1e-9)) * Double(barWidth))
            let label = bar.label.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            let text = bar.missing ? "n/a" : percent ? String(format: "%.0f%%", bar.value * 100) : String(format: "%g", bar.value)
            svg += "<text x=\"0\" y=\"\(y + 15)\" font-size=\"13\">\(label)</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y)\" width=\"\(width)\" height=\"\(rowHeight - 6)\" fill=\"#4a7ab8\"/>"
            svg += "<text x=\"\(labelWidth + width + 6)\" y=\"\(y + 15)\" font-size=\"13\">\(text)</text>"
        }
        return svg + "</svg>\n"
    }
}
