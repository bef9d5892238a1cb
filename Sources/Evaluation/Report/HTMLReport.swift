import Foundation
import NNetnavSupport

/// An evaluation's HTML report: `report.html` (the summary: rates per task set, site and difficulty
/// with counts and 95% Wilson intervals, a chart of them with error bars, failures, and one row per
/// task) and `tasks/NAME.html` for each task (`HTMLReport+Task`). Static files, so a folder can be
/// copied and opened anywhere.
///
/// Every string a model, a page or a task wrote goes through `HTML` interpolation, which escapes it;
/// each page also carries a Content-Security-Policy that allows no script at all, as a second line
/// of defence.
enum HTMLReport {
    static let tasksFolder = "tasks"

    static func render(report: EvaluationReport, episodes: [TaskEpisode]) -> String {
        let names = pageNames(for: episodes)
        var sections: [HTML] = []
        sections.append("""
        <p class="summary">Success <b>\(report.overall.text)</b> · average steps \(String(format: "%.1f", report.averageSteps)) \
        · constrained steps \(String(format: "%.0f%%", 100 * report.constrainedStepShare)) · \
        \(report.promptTokens) prompt and \(report.completionTokens) completion tokens · \(String(format: "%.0f", report.seconds)) s</p>
        """)
        var groups: [(String, [String: SuccessRate], [String])] = []
        if report.byTaskSet.count > 1 { groups.append(("task set", report.byTaskSet, report.byTaskSet.keys.sorted())) }
        groups.append(("site", report.bySite, report.bySite.keys.sorted()))
        groups.append(("difficulty", report.byDifficulty, ["1-3", "4-7", "8+"].filter { report.byDifficulty[$0] != nil }))
        let rows: [HTML] = groups.flatMap { name, rates, keys in
            keys.map { key in rateRow("\(name) \(key)", rates[key]!) }
        }
        sections.append("""
        <h2>Success rates</h2>
        <table id="rates"><thead><tr><th>group</th><th>passed</th><th>total</th><th>rate</th><th>95% Wilson interval</th></tr></thead>
        <tbody>\(rateRow("all tasks", report.overall))\(rows)</tbody></table>
        <div class="charts">\(rateChart(title: "Success by site", xLabel: "site", rates: report.bySite,
                                        keys: report.bySite.keys.sorted()))\
        \(rateChart(title: "Success by difficulty", xLabel: "difficulty bucket",
                    rates: report.byDifficulty, keys: ["1-3", "4-7", "8+"].filter { report.byDifficulty[$0] != nil }))</div>
        """)
        if !report.failures.isEmpty {
            let items: [HTML] = report.failures.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
                .map { "<li>\($0.key): \($0.value)</li>" }
            sections.append("<h2>Failures by cause</h2><ul>\(items)</ul>")
        }
        if let forced = report.referenceSteps {
            sections.append("<p>Teacher-forced: the policy chose the reference solution's action on \(forced.text) of its steps"
                            + (report.referenceStepsOffered.map { "; on \($0.text) of those it was offered" } ?? "") + ".</p>")
        }
        if let cost = report.stepCost { sections.append("<p>\(cost.text)</p>") }
        let taskRows: [HTML] = episodes.indices.map { i in
            let e = episodes[i]
            let why = e.result.checks.first { !$0.passed }.map { "\($0.kind): \($0.reason)" } ?? ""
            return """
            <tr class="\(e.succeeded ? "pass" : "fail")"><td><a href="\(tasksFolder)/\(names[i])">Task \(e.taskID) </a></td>\
            <td>\(e.site)</td><td>\(e.difficulty)</td><td>\(e.intent)</td><td>\(verdict(e))</td><td>\(e.steps.count)</td>\
            <td class="why">\(why)</td></tr>
            """
        }
        sections.append("""
        <h2>Tasks</h2>
        <table id="tasks"><thead><tr><th>task</th><th>site</th><th>difficulty</th><th>instruction</th><th>result</th>\
        <th>steps</th><th>first failed check</th></tr></thead><tbody>\(taskRows)</tbody></table>
        """)
        return layout(title: report.label, body: sections.joined()).rendered
    }

    static func rateRow(_ group: String, _ rate: SuccessRate) -> HTML {
        let (lower, upper) = rate.wilsonInterval()
        return """
        <tr><td>\(group)</td><td>\(rate.passed)</td><td>\(rate.total)</td><td>\(String(format: "%.1f%%", rate.percent))</td>\
        <td>\(rate.total == 0 ? "–" : String(format: "%.1f–%.1f%%", 100 * lower, 100 * upper))</td></tr>
        """
    }

    /// Rates in percent with their Wilson intervals as error bars and "passed/total" above each bar.
    static func rateChart(title: String, xLabel: String, rates: [String: SuccessRate], keys: [String]) -> HTML {
        let bars = keys.map { key -> SVGChart.Bar in
            let rate = rates[key]!
            let (lower, upper) = rate.wilsonInterval()
            return SVGChart.Bar(label: key, value: rate.percent, interval: 100 * lower ... 100 * upper,
                                note: "\(rate.passed)/\(rate.total)")
        }
        return HTML(raw: SVGChart.bars(title: title, xLabel: xLabel, yLabel: "success % (95% Wilson interval)", bars: bars,
                                       yRange: 0...100, size: .init(width: chartWidth(groups: bars.count, labels: keys), height: 260)))
    }

    /// Wide enough that category labels (site names run to 25 characters) do not overlap.
    static func chartWidth(groups: Int, labels: [String], barsPerGroup: Int = 1) -> Double {
        let perGroup = max(Double(barsPerGroup) * 50, 7 * Double(labels.map(\.count).max() ?? 0) + 16, 80)
        return max(320, min(1250, perGroup * Double(groups) + 90))
    }

    static func verdict(_ e: TaskEpisode) -> HTML {
        e.succeeded ? "<span class=\"pass\">success</span>"
            : "<span class=\"fail\">failed (\(e.failure?.rawValue ?? "?"))</span>"
    }

    /// The file name of each episode's page, from its key (task and seed), unique within the list.
    static func pageNames(for episodes: [TaskEpisode]) -> [String] {
        var used: Set<String> = []
        return episodes.map { e in
            let base = String((e.key ?? "\(e.site)-\(e.taskID)").map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }.prefix(80))
            var name = base, n = 1
            while used.contains(name) { n += 1; name = "\(base)-\(n)" }
            used.insert(name)
            return name + ".html"
        }
    }

    static func layout(title: String, body: HTML, navigation: HTML = .empty) -> HTML {
        """
        <!doctype html><html lang="en"><head><meta charset="utf-8">\
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">\
        <title>\(title) · nnetnav evaluation</title><style>\(HTML(raw: style))</style></head><body>
        <header><b>nnetnav evaluation</b>\(navigation)</header><main><h1>\(title)</h1>
        \(body)</main></body></html>

        """
    }

    static let style = """
    body{font:14px/1.45 system-ui,-apple-system,sans-serif;margin:0;color:#222}header{background:#263238;color:#fff;padding:.5em 1.5em}
    header a{color:#cfe8ff}main{padding:0 1.5em 2em;max-width:1400px}table{border-collapse:collapse;margin:.5em 0}
    td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}
    span.pass,p.pass{color:#1b5e20}span.fail,p.fail{color:#b71c1c}tr.pass td:first-child{border-left:4px solid #2e7d32}tr.fail td:first-child{border-left:4px solid #c62828}
    .charts svg{margin:0 .8em .8em 0;border:1px solid #eee}pre{white-space:pre-wrap;background:#f7f7f7;padding:.5em;margin:0;max-height:30em;overflow:auto;font-size:12px}
    .step{border-top:2px solid #ddd;margin-top:1em}.why{max-width:36em;font-size:12px}code{font-size:12px}
    td.expected,td.actual{font-family:ui-monospace,monospace;font-size:12px;max-width:34em;white-space:pre-wrap}
    .flip-up{color:#1b5e20}.flip-down{color:#b71c1c}
    """
}
