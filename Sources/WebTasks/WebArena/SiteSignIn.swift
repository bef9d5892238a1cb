import Foundation
import NNetnavSupport
import WebBrowser

/// Signs browsers in to WebArena sites with the flows of a site map, as WebArena's auto-login
/// does, and reuses a sign-in: the first browser signs in through the site's form, its cookies
/// are kept, and later browsers (each episode's or task's fresh context) get the cookies and only
/// check that the session still works, signing in again when it does not (an expired session,
/// a reset site).
public actor SiteSignIn {
    public enum Failure: Error, CustomStringConvertible, Sendable {
        case noFlow(WebArenaSite)
        case notDeployed(WebArenaSite)
        case failed(WebArenaSite, url: String, detail: String)

        public var description: String {
            switch self {
            case .noFlow(let s): return "the site map declares no account or sign-in flow for \(s.rawValue)"
            case .notDeployed(let s): return "\(s.rawValue) is not deployed: set \(s.environmentVariable) or its url in the site map"
            case .failed(let s, let u, let d): return "signing in to \(s.rawValue) failed at \(u): \(d)"
            }
        }
    }

    public let siteMap: WebArenaSiteMap
    public let deployment: WebArenaDeployment
    private var cookies: [WebArenaSite: [JSONValue]] = [:]
    /// Sign-ins through the form so far (the rest reused cookies), per site.
    public private(set) var formSignIns: [WebArenaSite: Int] = [:]

    public init(siteMap: WebArenaSiteMap, deployment: WebArenaDeployment) {
        self.siteMap = siteMap
        self.deployment = deployment
    }

    /// Whether the site map has a sign-in for the site.
    public nonisolated func hasSignIn(_ site: WebArenaSite) -> Bool {
        siteMap.settings(site).login != nil && siteMap.settings(site).account != nil
    }

    /// Signs `browser` in to each site that has a flow (a task's `sites`), then leaves it on the
    /// last success page; the caller navigates to the start URL.
    public func signIn(_ sites: [WebArenaSite], browser: some ScriptableBrowser) async throws {
        for site in sites where hasSignIn(site) { try await signIn(site, browser: browser) }
    }

    public func signIn(_ site: WebArenaSite, browser: some ScriptableBrowser) async throws {
        let settings = siteMap.settings(site)
        guard let flow = settings.login, let account = settings.account else { throw Failure.noFlow(site) }
        guard let base = deployment.baseURLs[site] else { throw Failure.notDeployed(site) }
        let fill = { (text: String) in
            text.replacingOccurrences(of: "{username}", with: account.username).replacingOccurrences(of: "{password}", with: account.password)
        }
        if let saved = cookies[site], try await browser.addSessionCookies(saved) {
            if try await succeeded(flow.success, base: base, fill: fill, browser: browser) == nil { return }
        }
        let steps: [SolutionStep] = [.goto(base + fill(flow.path))]
            + flow.fields.map { .type($0.field, text: fill($0.value), enter: false) }
            + [.click(flow.submit)]
        do {
            _ = try await ScriptedSolver().run(steps, in: browser)
        } catch {
            throw Failure.failed(site, url: base + fill(flow.path), detail: "\(error)")
        }
        formSignIns[site, default: 0] += 1
        if let problem = try await succeeded(flow.success, base: base, fill: fill, browser: browser) {
            throw Failure.failed(site, url: await browser.currentURL, detail: problem)
        }
        if let jar = try await browser.sessionCookies() { cookies[site] = jar }
    }

    /// Nil when the success page shows the sign-in worked, else what is wrong.
    private func succeeded(_ check: WebArenaSiteMap.LoginFlow.SuccessCheck, base: String, fill: (String) -> String,
                           browser: some ScriptableBrowser) async throws -> String? {
        let url = base + fill(check.path)
        let observation = try await browser.step(.goto(url: url))
        if let error = observation.error { return "could not open \(url): \(error)" }
        if check.urlStays == true {
            let landed = await browser.currentURL
            func trimmed(_ u: String) -> String { u.hasSuffix("/") ? String(u.dropLast()) : u }
            if trimmed(landed) != trimmed(url) { return "\(url) sent the browser to \(landed) (not signed in)" }
        }
        if let keyword = check.keyword {
            let text = try await browser.text(.page) ?? ""
            if !text.contains(keyword) { return "\(url) does not show '\(keyword)' (not signed in)" }
        }
        return nil
    }
}
