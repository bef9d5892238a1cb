/// `program_html`, re-expressed: open a URL in the browser (or stay on the last page), take the
/// text the locator selects, and check it with the same normalised matching as answers.
///
/// WebArena's own forms run too: `func:` URLs and helpers (`WebArenaHelperCall`), JavaScript
/// locators evaluated in the page (`TextLocator.javaScript`) after the check's `prep_actions`.
/// Fixed relative to WebArena's `HTMLContentEvaluator`: ` |OR| ` alternatives work in `exact_match`
/// as in `must_include`; a locator that selects nothing is reported as such instead of reading "None";
/// no fixed 3-second sleep after navigating (the browser's step already waits for the load).
public struct PageContentCheck: Sendable {
    /// The store's REST API, for the `shopping_*` helpers; nil fails those checks with a reason.
    public var shoppingAPI: (any WebArenaShoppingAPI)?

    public init(shoppingAPI: (any WebArenaShoppingAPI)? = nil) {
        self.shoppingAPI = shoppingAPI
    }

    private static func failed(_ reason: String) -> [CheckResult] {
        [CheckResult(kind: "program_html", passed: false, reason: reason)]
    }

    public func evaluate(_ check: ProgramHTMLCheck, browser: some ScriptableBrowser) async -> [CheckResult] {
        var target = check.url
        if target.hasPrefix("func:") {
            do {
                switch try WebArenaHelperCall(target, lastURL: await browser.currentURL) {
                case .redditPostURL(let url): target = WebArenaHelperCall.redditPostURL(url)
                case .shoppingLatestOrderURL:
                    guard let shoppingAPI else { return Self.failed("\(check.url) needs the shop's REST API (SHOPPING)") }
                    target = try await shoppingAPI.latestOrderURL()
                default: return Self.failed("\(check.url) does not name a page")
                }
            } catch {
                return Self.failed("could not work out the page of \(check.url): \(error)")
            }
        }
        let where_ = target == "last" ? "the last page" : target
        if target != "last" {
            do {
                let observation = try await browser.step(.goto(url: target))
                if let error = observation.error {
                    return Self.failed("could not open \(target): \(error)")
                }
            } catch {
                return Self.failed("could not open \(target): \(error)")
            }
        }
        let scope = check.locator.isEmpty ? where_ : "'\(check.locator)' on \(where_)"
        let read: String?
        do {
            read = try await self.read(check, browser: browser)
        } catch {
            return Self.failed("could not read \(scope): \(error)")
        }
        guard let text = read else {
            return Self.failed("nothing matches \(scope)")
        }
        var results: [CheckResult] = []
        let required = check.requiredContents
        if let exact = required.exactMatch {
            let ok = AnswerText.alternatives(exact).contains { AnswerText.equals(text, $0) }
            results.append(CheckResult(kind: "program_html", passed: ok,
                                       reason: ok ? "\(scope) reads '\(exact)'" : "\(scope) reads '\(Self.clip(text))', not '\(exact)'",
                                       expected: "exactly: \(exact)", actual: Self.clip(text, to: 600)))
        }
        for item in required.mustInclude ?? [] {
            let ok = AnswerText.alternatives(item).contains { Self.includes(text, $0) }
            results.append(CheckResult(kind: "program_html", passed: ok,
                                       reason: ok ? "\(scope) includes '\(item)'" : "\(scope) does not include '\(item)'",
                                       expected: "includes: \(item)", actual: Self.clip(text, to: 600)))
        }
        for item in required.mustExclude ?? [] {
            let present = AnswerText.alternatives(item).contains { AnswerText.includes(text, $0) }
            results.append(CheckResult(kind: "program_html", passed: !present,
                                       reason: present ? "\(scope) still includes '\(item)'" : "\(scope) no longer includes '\(item)'",
                                       expected: "excludes: \(item)", actual: Self.clip(text, to: 600)))
        }
        if results.isEmpty { results.append(CheckResult(kind: "program_html", passed: false, reason: "no required contents given")) }
        return results
    }

    /// The text the check's locator selects on the current page.
    func read(_ check: ProgramHTMLCheck, browser: some ScriptableBrowser) async throws -> String? {
        let locator = check.locator.trimmingCharacters(in: .whitespaces)
        if locator.hasPrefix("func:") {
            switch try WebArenaHelperCall(locator, lastURL: await browser.currentURL) {
            case .gitlabProjectMemberRole(let account):
                return try await browser.text(.javaScript(WebArenaHelperCall.gitlabRoleScript(account: account)))
            case .shoppingLatestReviewAuthor(let sku):
                guard let shoppingAPI else { throw WebArenaHelperCall.ParseError(text: locator, reason: "needs the shop's REST API (SHOPPING)") }
                return try await shoppingAPI.latestReview(sku: sku)?.author ?? ""
            case .shoppingLatestReviewRating(let sku):
                guard let shoppingAPI else { throw WebArenaHelperCall.ParseError(text: locator, reason: "needs the shop's REST API (SHOPPING)") }
                return try await shoppingAPI.latestReview(sku: sku)?.ratingPercent ?? ""
            case .redditPostURL, .shoppingLatestOrderURL:
                throw WebArenaHelperCall.ParseError(text: locator, reason: "names a page, not page content")
            }
        }
        let textLocator = TextLocator(locator)
        if case .javaScript = textLocator {
            // As WebArena: preparation steps whose failure does not matter by themselves.
            for action in check.prepActions ?? [] { _ = try? await browser.text(.javaScript(action)) }
            return try await browser.text(textLocator).map(HTMLEntities.unescape)
        }
        return try await browser.text(textLocator)
    }

    /// Token matching, except that a URL is looked for as a string (case-insensitively): WebArena's
    /// locators join a post's text and its links without a space (`…sharehttp://host/repo`), which
    /// WebArena's substring test accepted and whole-token matching would not.
    static func includes(_ text: String, _ reference: String) -> Bool {
        if reference.contains("://") { return text.lowercased().contains(reference.lowercased()) }
        return AnswerText.includes(text, reference)
    }

    /// Page text in a reason is short; in `actual` a report shows more of it, still bounded so one
    /// check of a long page does not bloat every result line.
    static func clip(_ s: String, to limit: Int = 120) -> String { s.count > limit ? String(s.prefix(limit - 3)) + "..." : s }
}

/// Python's `html.unescape` for what WebArena's locators return (an attribute or value holding `&amp;`).
enum HTMLEntities {
    static let named: [String: String] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{a0}"]

    static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = text[...]
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            if let semi = after.prefix(12).firstIndex(of: ";") {
                let name = String(after[..<semi])
                var replacement: String?
                if name.hasPrefix("#x") || name.hasPrefix("#X") {
                    replacement = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                } else if name.hasPrefix("#") {
                    replacement = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                } else {
                    replacement = named[name]
                }
                if let replacement {
                    out += replacement
                    rest = after[after.index(after: semi)...]
                    continue
                }
            }
            out += "&"
            rest = after
        }
        return out + rest
    }
}
