import Foundation

/// A single self-contained HTML page: the summary, then every episode with its steps, the page
/// the model saw, what it wrote, the action taken and the evaluator's verdict.
enum HTMLReport {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }

    static func render(report: EvaluationReport, episodes: [TaskEpisode]) -> String {
        var html = """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>\(escape(report.label)) — nnetnav evaluation</title>
        <style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1100px}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em;max-height:24em;overflow:auto}
        .pass{color:#060}.fail{color:#a00}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}</style></head><body>
        <h1>\(escape(report.label))</h1><pre>\(escape(report.table))</pre><h2>Episodes</h2>
        """
        for e in episodes {
            let verdict = e.succeeded ? "<span class=pass>passed</span>" : "<span class=fail>failed (\(escape(e.failure?.rawValue ?? "?")))</span>"
            html += "<details><summary>Task \(e.taskID) [\(escape(e.site)), difficulty \(e.difficulty)] \(verdict): \(escape(e.intent))</summary>"
            html += "<p>Answer: <code>\(escape(e.answer ?? "(none)"))</code> · final URL <code>\(escape(e.finalURL))</code> · \(e.steps.count) steps · \(String(format: "%.1f", e.seconds)) s</p><ul>"
            for check in e.result.checks {
                html += "<li class=\(check.passed ? "pass" : "fail")>\(escape(check.kind)): \(escape(check.reason))</li>"
            }
            html += "</ul><ol>"
            for step in e.steps {
                html += "<li><p><code>\(escape(step.url))</code> → <b>\(escape(step.actionDescription))</b>"
                    + (step.constrained ? " <i>(constrained)</i>" : "")
                    + (step.error.map { " <span class=fail>\(escape($0))</span>" } ?? "")
                    + (step.timing.map { t in String(format: " · %.2f s (prefill %.2f, decode %.2f, other model %.2f, browser %.2f)",
                                                     t.totalSeconds, t.prefillSeconds, t.decodeSeconds, t.modelOtherSeconds,
                                                     t.browserSeconds) } ?? "") + "</p>"
                html += "<details><summary>model output</summary><pre>\(escape(step.modelOutput))</pre></details>"
                html += "<details><summary>observation</summary><pre>\(escape(step.observation))</pre></details></li>"
            }
            html += "</ol></details>\n"
        }
        return html + "</body></html>\n"
    }
}
