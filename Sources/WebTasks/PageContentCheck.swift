/// `program_html`, re-expressed: open a URL in the browser (or stay on the last page), take the
/// text the locator selects, and check it with the same normalised matching as answers.
public struct PageContentCheck: Sendable {
    public init() {}

    public func evaluate(_ check: ProgramHTMLCheck, browser: some ScriptableBrowser) async -> [CheckResult] {
        let where_ = check.url == "last" ? "the last page" : check.url
        if check.url != "last" {
            do {
                let observation = try await browser.step(.goto(url: check.url))
                if let error = observation.error {
                    return [CheckResult(kind: "program_html", passed: false, reason: "could not open \(check.url): \(error)")]
                }
            } catch {
                return [CheckResult(kind: "program_html", passed: false, reason: "could not open \(check.url): \(error)")]
            }
        }
        let scope = check.locator.isEmpty ? where_ : "'\(check.locator)' on \(where_)"
        let read: String?
        do {
            read = try await browser.text(TextLocator(check.locator))
        } catch {
            return [CheckResult(kind: "program_html", passed: false, reason: "could not read \(scope): \(error)")]
        }
        guard let text = read else {
            return [CheckResult(kind: "program_html", passed: false, reason: "nothing matches \(scope)")]
        }
        var results: [CheckResult] = []
        let required = check.requiredContents
        if let exact = required.exactMatch {
            let ok = AnswerText.alternatives(exact).contains { AnswerText.equals(text, $0) }
            results.append(CheckResult(kind: "program_html", passed: ok,
                                       reason: ok ? "\(scope) reads '\(exact)'" : "\(scope) reads '\(Self.clip(text))', not '\(exact)'"))
        }
        for item in required.mustInclude ?? [] {
            let ok = AnswerText.alternatives(item).contains { AnswerText.includes(text, $0) }
            results.append(CheckResult(kind: "program_html", passed: ok,
                                       reason: ok ? "\(scope) includes '\(item)'" : "\(scope) does not include '\(item)'"))
        }
        for item in required.mustExclude ?? [] {
            let present = AnswerText.alternatives(item).contains { AnswerText.includes(text, $0) }
            results.append(CheckResult(kind: "program_html", passed: !present,
                                       reason: present ? "\(scope) still includes '\(item)'" : "\(scope) no longer includes '\(item)'"))
        }
        if results.isEmpty { results.append(CheckResult(kind: "program_html", passed: false, reason: "no required contents given")) }
        return results
    }

    static func clip(_ s: String) -> String { s.count > 120 ? String(s.prefix(117)) + "..." : s }
}
