import Foundation
import NNetnavSupport

extension HTMLReport {
    /// The before/after page: both rates with intervals, the paired 2×2 counts with the difference's
    /// interval and McNemar's test, per-site rates side by side, and the tasks that flipped, each
    /// linking to its page in both reports (`beforeFolder`/`afterFolder`: the report folders
    /// relative to this page).
    static func comparisonPage(_ c: EvaluationComparison, beforeFolder: String, afterFolder: String) -> String {
        let (lower, upper) = c.paired.interval
        let counts: HTML = """
        <table id="paired"><thead><tr><th></th><th>after: success</th><th>after: failed</th></tr></thead><tbody>
        <tr><th>before: success</th><td>\(c.paired.bothPassed)</td><td class="flip-down">\(c.paired.onlyA)</td></tr>
        <tr><th>before: failed</th><td class="flip-up">\(c.paired.onlyB)</td><td>\(c.paired.neither)</td></tr></tbody></table>
        <p>Difference over the \(c.paired.pairs) paired tasks: \
        <b>\(String(format: "%+.1f points (95%% CI %+.1f to %+.1f)", 100 * c.paired.difference, 100 * lower, 100 * upper))</b>, \
        exact McNemar p = \(String(format: "%.3g", c.paired.mcnemarP)).\
        \(c.onlyBefore + c.onlyAfter > 0 ? " Not paired: \(c.onlyBefore) tasks only before, \(c.onlyAfter) only after." as HTML : .empty)</p>
        """
        let sites = c.bySite.keys.sorted()
        let siteRows: [HTML] = sites.map { site in
            let r = c.bySite[site]!
            return "<tr><td>\(site)</td><td>\(r.before.text)</td><td>\(r.after.text)</td></tr>"
        }
        let bars: [SVGChart.Bar] = sites.flatMap { site -> [SVGChart.Bar] in
            let r = c.bySite[site]!
            return [r.before, r.after].enumerated().map { side, rate in
                let (lo, hi) = rate.wilsonInterval()
                return SVGChart.Bar(label: site, value: rate.percent, interval: 100 * lo ... 100 * hi,
                                    note: "\(rate.passed)/\(rate.total)", series: side)
            }
        }
        let chart = HTML(raw: SVGChart.bars(title: "Paired tasks' success by site", xLabel: "site",
                                            yLabel: "success % (95% Wilson interval)", bars: bars, yRange: 0...100,
                                            size: .init(width: chartWidth(groups: sites.count, labels: sites, barsPerGroup: 2), height: 280),
                                            legend: ["before", "after"]))
        func flipRows(_ flips: [EvaluationComparison.Flip], _ kind: String) -> HTML {
            guard !flips.isEmpty else { return "<p><i>None.</i></p>" }
            let rows: [HTML] = flips.map { f in
                let why = f.after.result.checks.first { !$0.passed } ?? f.before.result.checks.first { !$0.passed }
                return """
                <tr class="flipped \(kind)"><td>\(f.after.site)</td><td>\(f.after.taskID)</td><td>\(f.after.intent)</td>\
                <td><a href="\(beforeFolder)/\(tasksFolder)/\(f.beforePage)">\(verdict(f.before))</a></td>\
                <td><a href="\(afterFolder)/\(tasksFolder)/\(f.afterPage)">\(verdict(f.after))</a></td>\
                <td class="why">\(why.map { "\($0.kind): \($0.reason)" } ?? "")</td></tr>
                """
            }
            return """
            <table class="flips" id="\(kind)"><thead><tr><th>site</th><th>task</th><th>instruction</th><th>before</th><th>after</th>\
            <th>the failing side's first failed check</th></tr></thead><tbody>\(rows)</tbody></table>
            """
        }
        let body: HTML = """
        <p class="summary">Before: <a href="\(beforeFolder)/report.html">\(c.beforeLabel)</a> — <b>\(c.beforeRate.text)</b><br>\
        After: <a href="\(afterFolder)/report.html">\(c.afterLabel)</a> — <b>\(c.afterRate.text)</b></p>
        <h2>Paired tasks</h2>\(counts)
        <table id="sites"><thead><tr><th>site</th><th>before</th><th>after</th></tr></thead><tbody>\(siteRows)</tbody></table>
        <div class="charts">\(chart)</div>
        \(c.referenceSteps.map { r -> HTML in
            let items: [HTML] = r.lines.map { "<li>\($0)</li>" }
            return "<h2>Reference steps (teacher-forced)</h2><ul id=\"reference-steps\">\(items)</ul>"
        } ?? .empty)
        <h2>Fixed: failed before, success after (\(c.fixed.count))</h2>\(flipRows(c.fixed, "fixed"))
        <h2>Broken: success before, failed after (\(c.broken.count))</h2>\(flipRows(c.broken, "broken"))
        """
        return layout(title: "Before and after", body: body).rendered
    }
}
