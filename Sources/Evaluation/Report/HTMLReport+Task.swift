import Foundation
import NNetnavSupport

extension HTMLReport {
    /// One task's page: the instruction and verdict, the evaluator's checks with what each expected
    /// and what it found, then every step: the action, what the model wrote, and the page it saw
    /// (collapsed, since observations are long). Checks come first because "why did it fail" is the
    /// question a reader opens the page with.
    static func taskPage(_ e: TaskEpisode, reportLabel: String) -> String {
        let checks: [HTML] = e.result.checks.map { c in
            """
            <tr class="\(c.passed ? "pass" : "fail")"><td>\(c.kind)</td><td class="expected">\(shown(c.expected))</td>\
            <td class="actual">\(shown(c.actual))</td><td>\(c.passed ? "pass" : "fail")</td><td class="why">\(c.reason)</td></tr>
            """
        }
        let steps: [HTML] = e.steps.indices.map { i in
            let s = e.steps[i]
            let timing: HTML = s.timing.map { t in
                " · \(String(format: "%.2f s (model %.2f, browser %.2f)", t.totalSeconds, t.prefillSeconds + t.decodeSeconds + t.modelOtherSeconds, t.browserSeconds))"
            } ?? .empty
            return """
            <section class="step" id="step-\(i)"><h3>Step \(i) <small><code>\(s.url)</code></small></h3>
            <p class="action"><b>Action</b> <code>\(s.action)</code>\(s.constrained ? " <i>(constrained choice)</i>" as HTML : .empty)\
            \(s.valid ? .empty : " <span class=\"fail\">(not a valid action)</span>" as HTML) · \(s.actionDescription)\(timing)</p>
            \(s.referenceAction.map { reference -> HTML in
                let agreed = s.matchesReference == true
                let verdict = (agreed ? "the policy agreed" : "the policy differed") + (s.referenceOffered == false ? ", not among its candidates" : "")
                return "<p class=\"\(agreed ? "pass" : "fail")\"><b>Reference</b> <code>\(reference)</code> (taken; \(verdict))</p>"
            } ?? .empty)
            \(s.error.map { "<p class=\"fail\">Browser error: \($0)</p>" as HTML } ?? .empty)
            <h4>Model output</h4><pre class="model-output">\(s.modelOutput)</pre>
            <details class="observation"><summary>Observation (\(s.observation.split(separator: "\n").count) lines)</summary>\
            <pre>\(s.observation)</pre></details>
            </section>
            """
        }
        let body: HTML = """
        <p><a href="../report.html">← all tasks</a></p>
        <p class="instruction"><b>Instruction</b> “\(e.intent)”</p>
        <p class="summary">\(verdict(e)) · site \(e.site) · task \(e.taskID) · difficulty \(e.difficulty) · \
        \(e.steps.count) steps · \(String(format: "%.1f", e.seconds)) s · answer <code>\(e.answer ?? "(none)")</code> · \
        final URL <code>\(e.finalURL)</code></p>
        <h2>Evaluator checks</h2>
        <table id="checks"><thead><tr><th>check</th><th>expected</th><th>actual</th><th>verdict</th><th>reason</th></tr></thead>
        <tbody>\(checks)</tbody></table>
        <h2>Steps</h2>\(steps.isEmpty ? "<p><i>No step was taken.</i></p>" as HTML : steps.joined())
        """
        return layout(title: "Task \(e.taskID) · \(e.site)", body: body, navigation: " · \(reportLabel)").rendered
    }

    /// A check's value: "–" when the check recorded none, a visible mark for an empty answer
    /// (which is what a policy that never stopped gives, and a blank cell would hide).
    static func shown(_ value: String?) -> HTML {
        guard let value else { return "–" }
        return value.isEmpty ? "<i>(empty)</i>" : "\(value)"
    }

    /// Writes every episode's page into `directory/tasks`, replacing pages of an earlier rendering.
    static func writeTaskPages(_ episodes: [TaskEpisode], reportLabel: String, to directory: URL) throws {
        let folder = directory.appendingPathComponent(tasksFolder)
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (episode, name) in zip(episodes, pageNames(for: episodes)) {
            try Data(taskPage(episode, reportLabel: reportLabel).utf8).write(to: folder.appendingPathComponent(name), options: .atomic)
        }
    }
}
