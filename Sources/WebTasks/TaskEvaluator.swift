import GRDB
import WebSites

/// Scores a finished episode against its task, as WebArena's `EvaluatorComb` does: every
/// evaluator named in `eval_types` runs and the score is the product (1 only if all pass).
public struct TaskEvaluator: Sendable {
    public var stringMatch: StringMatch
    public var urlMatch = URLMatch()
    public var pageContent = PageContentCheck()
    public var databaseCheck = DatabaseCheck()

    public init(fuzzyJudge: StringMatch.FuzzyJudge? = nil, unachievableJudge: StringMatch.UnachievableJudge? = nil,
                shoppingAPI: (any WebArenaShoppingAPI)? = nil) {
        stringMatch = StringMatch(judge: fuzzyJudge, unachievableJudge: unachievableJudge)
        pageContent = PageContentCheck(shoppingAPI: shoppingAPI)
    }

    /// - Parameters:
    ///   - answer: the agent's `stop [...]` answer ("" if it did not stop with one).
    ///   - browser: the browser in its final state; `program_html` checks navigate it.
    ///   - databases: the instance databases by site, for `db_check`.
    public func evaluate(_ task: TaskConfig, answer: String, browser: some ScriptableBrowser,
                         databases: [SiteName: DatabaseQueue]) async -> EvaluationResult {
        let finalURL = await browser.currentURL
        var checks: [CheckResult] = []
        for type in task.eval.evalTypes {
            switch type {
            case .stringMatch:
                guard let reference = task.eval.referenceAnswers else {
                    checks.append(CheckResult(kind: "string_match", passed: false, reason: "task has no reference_answers"))
                    continue
                }
                checks += await stringMatch.evaluate(answer: answer, reference: reference, intent: task.intent,
                                                     stringNote: task.eval.stringNote)
            case .urlMatch:
                guard let reference = task.eval.referenceURL, !reference.isEmpty else {
                    checks.append(CheckResult(kind: "url_match", passed: false, reason: "task has no reference_url"))
                    continue
                }
                checks.append(urlMatch.evaluate(finalURL: finalURL, reference: reference, note: task.eval.urlNote))
            case .programHTML:
                for check in task.eval.programHTML ?? [] { checks += await pageContent.evaluate(check, browser: browser) }
            case .dbCheck:
                for spec in task.eval.dbChecks ?? [] {
                    let site = spec.site.flatMap(SiteName.init(rawValue:)) ?? task.sites.first.flatMap(SiteName.init(rawValue:))
                    guard let site, let db = databases[site] else {
                        checks.append(CheckResult(kind: "db_check", passed: false, reason: "no database for site \(spec.site ?? task.sites.first ?? "?")"))
                        continue
                    }
                    checks.append(await databaseCheck.evaluate(spec, database: db))
                }
            }
        }
        if checks.isEmpty { checks.append(CheckResult(kind: "eval", passed: false, reason: "task names no evaluator")) }
        return EvaluationResult(checks: checks)
    }
}
