import ChromiumBrowser
import Foundation
import LanguageModels
import NNetnavSupport
import TestSupport
import WebTasks
import XCTest
@testable import Evaluation

/// The evaluation report's pages: the summary with rates and intervals, one page per task with the
/// evaluator's checks (expected vs actual), the before/after comparison with the tasks that flipped;
/// that every model-, page- and task-written string is escaped; and that the pages render in headless
/// Chromium without console errors.
final class EvaluationReportPageTests: XCTestCase {
    static let hostile = "<script>document.title='pwned'</script><img src=x onerror=alert(1)>"

    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("eval-pages-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// An episode of `site` task `id` whose model output, page, answer and check all carry markup.
    static func episode(_ id: Int, site: String = "shop", passed: Bool, difficulty: Int = 2) -> TaskEpisode {
        let step = TaskEpisode.Step(url: "http://shop.local/p?q=\(hostile)", observation: "[1] link 'Cart'\nStaticText \(hostile)",
                                    modelOutput: "I will click. \(hostile) ```click [1]```", action: "click [1]",
                                    actionDescription: "click [1] where [1] is link 'Cart'", valid: true, constrained: false, error: nil)
        let check = CheckResult(kind: "string_match", passed: passed,
                                reason: passed ? "answer includes '42'" : "answer '\(hostile)' does not include '42'",
                                expected: "includes: 42 \(hostile)", actual: passed ? "42" : "answer \(hostile)")
        var e = TaskEpisode(taskID: id, site: site, intent: "Find the price \(hostile)", difficulty: difficulty, instance: 0,
                            steps: [step, step], answer: passed ? "42" : hostile, finalURL: "http://shop.local/done",
                            result: EvaluationResult(checks: [check]), failure: passed ? nil : .wrongResult,
                            usage: TokenUsage(promptTokens: 10, completionTokens: 2), seconds: 1)
        e.key = "\(site)/\(id)#abc"
        return e
    }

    static func assertNoMarkupFromData(_ html: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(html.contains("<script"), "\(name): a written <script> became markup", file: file, line: line)
        XCTAssertFalse(html.contains("<img src=x"), "\(name): a written <img> became markup", file: file, line: line)
        XCTAssertTrue(html.contains("&lt;script&gt;"), "\(name): the written markup is shown as text", file: file, line: line)
    }

    func testSummaryHasRatesWithIntervalsAChartAndLinksToEachTask() throws {
        let episodes = [Self.episode(1, passed: true), Self.episode(2, passed: false), Self.episode(3, site: "forum", passed: false, difficulty: 5)]
        let report = try EvaluationReport.write(label: "unit \(Self.hostile)", episodes: episodes, to: directory)
        XCTAssertEqual(report.bySite["shop"], SuccessRate(passed: 1, total: 2))
        let html = try String(contentsOf: directory.appendingPathComponent("report.html"), encoding: .utf8)
        Self.assertNoMarkupFromData(html, "report.html")
        let (lower, upper) = SuccessRate(passed: 1, total: 2).wilsonInterval()
        XCTAssertTrue(html.contains("<tr><td>site shop</td><td>1</td><td>2</td><td>50.0%</td><td>"
                                    + String(format: "%.1f–%.1f%%", 100 * lower, 100 * upper) + "</td></tr>"), html)
        XCTAssertTrue(html.contains("<td>difficulty 4-7</td><td>0</td><td>1</td>"))
        XCTAssertTrue(html.contains("Success by site") && html.contains("Success by difficulty"))
        XCTAssertTrue(html.contains("<path d=\"M"), "error bars are drawn")
        XCTAssertTrue(html.contains("1/2"), "the bar shows its count")
        XCTAssertTrue(html.contains("<a href=\"tasks/shop_1_abc.html\">Task 1 </a>"), html)
        let pages = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("tasks").path).sorted()
        XCTAssertEqual(pages, ["forum_3_abc.html", "shop_1_abc.html", "shop_2_abc.html"])
    }

    func testTaskPageShowsEachStepAndEachCheckWithExpectedAndActual() throws {
        try EvaluationReport.write(label: "unit", episodes: [Self.episode(2, passed: false)], to: directory)
        let html = try String(contentsOf: directory.appendingPathComponent("tasks/shop_2_abc.html"), encoding: .utf8)
        Self.assertNoMarkupFromData(html, "task page")
        XCTAssertTrue(html.contains("<b>Instruction</b> “Find the price &lt;script&gt;"))
        XCTAssertTrue(html.contains("<td class=\"expected\">includes: 42 &lt;script&gt;"), html)
        XCTAssertTrue(html.contains("<td class=\"actual\">answer &lt;script&gt;"), html)
        XCTAssertTrue(html.contains("<td>fail</td>"))
        XCTAssertTrue(html.contains("failed (wrong-result)"))
        XCTAssertEqual(html.components(separatedBy: "<section class=\"step\"").count - 1, 2)
        XCTAssertEqual(html.components(separatedBy: "<details class=\"observation\">").count - 1, 2, "observations are collapsible")
        XCTAssertTrue(html.contains("<pre class=\"model-output\">I will click. &lt;script&gt;"))
        XCTAssertTrue(html.contains("Content-Security-Policy"), "no script may run even if escaping were missed")
    }

    /// A policy that never stopped answered nothing: the cell says so instead of staying blank.
    func testAnEmptyAnswerIsShownAsEmpty() throws {
        var e = Self.episode(5, passed: false)
        e.result = EvaluationResult(checks: [CheckResult(kind: "string_match", passed: false, reason: "answer '' does not include '42'",
                                                         expected: "includes: 42", actual: "")])
        try EvaluationReport.write(label: "unit", episodes: [e], to: directory)
        let html = try String(contentsOf: directory.appendingPathComponent("tasks/shop_5_abc.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<td class=\"expected\">includes: 42</td><td class=\"actual\"><i>(empty)</i></td>"), html)
    }

    /// Results written before checks recorded expected/actual still load and render.
    func testOlderEpisodesWithoutExpectedAndActualStayReadable() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let old = #"{"answer":"","difficulty":1,"failure":"step-limit","finalURL":"http://x/","instance":0,"intent":"Old task","#
            + #""result":{"checks":[{"kind":"string_match","passed":false,"reason":"answer '' does not include '1'"}],"score":0},"#
            + #""seconds":1,"site":"shop","steps":[],"taskID":9,"usage":{"completionTokens":0,"promptTokens":0}}"# + "\n"
        try Data(old.utf8).write(to: directory.appendingPathComponent(EvaluationJournal.episodesFile))
        let episodes = try EvaluationJournal.readEpisodes(in: directory)
        XCTAssertEqual(episodes.first?.result.checks.first?.expected, nil)
        try EvaluationReport.write(label: "old", episodes: episodes, to: directory)
        let html = try String(contentsOf: directory.appendingPathComponent("tasks/shop-9.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<td class=\"expected\">–</td><td class=\"actual\">–</td>"), html)
    }

    /// Writes a before and an after folder: task 1 fixed, task 2 broken, task 3 passed both, task 4
    /// failed both, task 5 only before.
    func writeBeforeAndAfter() throws -> (before: URL, after: URL) {
        let before = directory.appendingPathComponent("eval-before"), after = directory.appendingPathComponent("eval-after")
        try EvaluationReport.write(label: "before", episodes: [Self.episode(1, passed: false), Self.episode(2, passed: true),
                                                               Self.episode(3, passed: true), Self.episode(4, site: "forum", passed: false),
                                                               Self.episode(5, passed: true)], to: before)
        try EvaluationReport.write(label: "after", episodes: [Self.episode(4, site: "forum", passed: false), Self.episode(1, passed: true),
                                                              Self.episode(2, passed: false), Self.episode(3, passed: true)], to: after)
        return (before, after)
    }

    func testComparisonListsTheTasksThatFlippedWithPairedCounts() throws {
        let (before, after) = try writeBeforeAndAfter()
        let page = directory.appendingPathComponent("eval-comparison.html")
        let comparison = try EvaluationComparison.write(before: before, after: after, to: page)
        XCTAssertEqual(comparison.fixed.map(\.after.taskID), [1])
        XCTAssertEqual(comparison.broken.map(\.after.taskID), [2])
        XCTAssertEqual([comparison.paired.bothPassed, comparison.paired.onlyA, comparison.paired.onlyB, comparison.paired.neither], [1, 1, 1, 1])
        XCTAssertEqual(comparison.beforeRate, SuccessRate(passed: 3, total: 5))
        XCTAssertEqual(comparison.pairedBefore, SuccessRate(passed: 2, total: 4))
        XCTAssertEqual(comparison.onlyBefore, 1)
        let html = try String(contentsOf: page, encoding: .utf8)
        Self.assertNoMarkupFromData(html, "comparison")
        XCTAssertTrue(html.contains("<tr class=\"flipped fixed\"><td>shop</td><td>1</td>"), html)
        XCTAssertTrue(html.contains("<tr class=\"flipped broken\"><td>shop</td><td>2</td>"))
        XCTAssertTrue(html.contains("<a href=\"eval-before/tasks/shop_1_abc.html\">"), "links to the task's page in each report")
        XCTAssertTrue(html.contains("<a href=\"eval-after/tasks/shop_1_abc.html\">"))
        XCTAssertTrue(html.contains(SuccessRate(passed: 3, total: 5).text) && html.contains(SuccessRate(passed: 2, total: 4).text))
        XCTAssertTrue(html.contains("exact McNemar p = 1"))
        XCTAssertTrue(html.contains("1 tasks only before"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: after.appendingPathComponent("tasks/shop_1_abc.html").path))
    }

    /// Two teacher-forced runs of the same tasks are compared step by step: matches paired by task and
    /// step (McNemar), and the log-probability of the reference as a task-clustered mean difference,
    /// with and without the scrolls; steps whose references differ are not paired.
    func testTeacherForcedRunsAreComparedOnTheirReferenceSteps() {
        func run(_ label: String, matches: [[Bool]], scores: [[Double]]) -> [TaskEpisode] {
            zip(matches, scores).enumerated().map { task, pair in
                var e = Self.episode(task + 1, passed: false)
                e.steps = zip(pair.0, pair.1).enumerated().map { i, step in
                    var s = e.steps[0]
                    s.referenceAction = i == 0 ? "scroll [down]" : "click [\(i)]"
                    s.matchesReference = step.0
                    s.referenceLogProbability = step.1
                    return s
                }
                return e
            }
        }
        let before = run("base", matches: [[true, false, false], [true, false]], scores: [[-0.5, -3, -2], [-0.1, -4]])
        var after = run("pruned", matches: [[true, true, false], [false, false]], scores: [[-0.7, -1, -2.5], [-2.1, -5]])
        after[1].steps[1].referenceAction = "click [9]"
        let comparison = EvaluationComparison(beforeLabel: "base", before: before, afterLabel: "pruned", after: after)
        let steps = comparison.referenceSteps
        XCTAssertEqual(steps?.steps, 4, "the step whose reference differs is not paired")
        XCTAssertEqual(steps.map { [$0.matched.bothPassed, $0.matched.onlyA, $0.matched.onlyB, $0.matched.neither] }, [1, 1, 1, 1])
        // Task 1: (−0.2 + 2 − 0.5) / 3 = 0.4333; task 2: −2.0; the mean of the two task means.
        XCTAssertEqual(steps?.logProbability?.difference ?? 0, (1.3 / 3 - 2) / 2, accuracy: 1e-9)
        XCTAssertEqual(steps?.logProbability?.clusters, 2)
        // Without the scrolls only task 1's two clicks remain: (2 − 0.5) / 2.
        XCTAssertEqual(steps?.logProbabilityWithoutScrolls?.difference ?? 0, 0.75, accuracy: 1e-9)
        XCTAssertTrue(comparison.table.contains("reference steps matched (teacher-forced, 4 paired steps)"), comparison.table)
        let untouched = EvaluationComparison(beforeLabel: "a", before: [Self.episode(1, passed: true)],
                                             afterLabel: "b", after: [Self.episode(1, passed: false)])
        XCTAssertNil(untouched.referenceSteps, "runs that were not teacher-forced have no step comparison")
    }

    /// Each new page as a person sees it: no console error (the pages' policy forbids script, so an
    /// escaped-badly `<script>` would also show up here), the key elements present after load, the
    /// injected script not run, and a screenshot.
    func testPagesRenderInChromiumWithoutConsoleErrorsOrInjectedScript() throws {
        guard let chromium = ChromiumProcess.locateExecutable() else {
            throw XCTSkip("Chromium is not installed (scripts/prerequisites.sh installs it)")
        }
        let (_, after) = try writeBeforeAndAfter()
        let comparison = directory.appendingPathComponent("eval-comparison.html")
        try EvaluationComparison.write(before: directory.appendingPathComponent("eval-before"), after: after, to: comparison)
        let pages: [(URL, [String])] = [
            (after.appendingPathComponent("report.html"), ["id=\"rates\"", "id=\"tasks\"", "<svg"]),
            (after.appendingPathComponent("tasks/shop_2_abc.html"), ["class=\"expected\"", "class=\"actual\"", "class=\"observation\""]),
            (comparison, ["id=\"paired\"", "class=\"flipped fixed\"", "class=\"flipped broken\""]),
        ]
        for (page, elements) in pages {
            let shot = directory.appendingPathComponent("\(page.lastPathComponent).png").path
            let rendered = try HeadlessPageRender.screenshot(chromium: chromium, url: page.absoluteString, to: shot)
            XCTAssertGreaterThan(rendered.png.count, 5_000, "\(page.lastPathComponent): screenshot is blank")
            XCTAssertEqual(Array(rendered.png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
            XCTAssertEqual(rendered.consoleErrors, [], "\(page.lastPathComponent)")
            let dom = try HeadlessPageRender.domAfterLoad(chromium: chromium, url: page.absoluteString)
            for element in elements { XCTAssertTrue(dom.contains(element), "\(page.lastPathComponent): \(element) missing") }
            XCTAssertFalse(dom.contains("<title>pwned</title>"), "\(page.lastPathComponent): an injected script ran")
            XCTAssertTrue(dom.contains("nnetnav evaluation</title>"), "\(page.lastPathComponent): the page's own title")
            XCTAssertFalse(dom.contains("<script") || dom.contains("<img src=\"x\""), "\(page.lastPathComponent): injected elements")
        }
    }
}
