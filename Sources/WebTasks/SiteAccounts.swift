import WebBrowser
import WebSites

/// The accounts tasks sign in as (documented in environments/README.md) and how to sign in.
public enum SiteAccounts {
    public enum Error: Swift.Error, CustomStringConvertible {
        case unknownAccount(String)
        case loginFailed(account: String, url: String, detail: String)

        public var description: String {
            switch self {
            case .unknownAccount(let a): return "no password is known for account '\(a)'"
            case .loginFailed(let a, let u, let d): return "signing in as '\(a)' failed at \(u): \(d)"
            }
        }
    }

    /// The site an account signs in to and its password. Forum and code accounts are seeded
    /// usernames (every one has the same password), so the task's site tells which it is.
    public static func credentials(for account: String, site hint: SiteName? = nil) throws -> (site: SiteName, password: String) {
        if account == "admin" { return (.admin, "admin1234") }
        if account.hasSuffix("@example.com") { return (.shop, "Password.123") }
        if let hint, hint == .forum || hint == .code { return (hint, "nnetnav") }
        throw Error.unknownAccount(account)
    }

    /// The account a site's tasks sign in as, and the explorer by default; nil for a site without accounts.
    public static func defaultAccount(for site: SiteName) -> String? {
        switch site {
        case .shop: "emma.lopez@example.com"
        case .admin: "admin"
        case .forum: "river_otter"
        case .code: "arivera"
        case .wiki: nil
        }
    }

    /// The login form's field and button names per site.
    static func loginForm(_ site: SiteName) -> (user: String, submit: String) {
        switch site {
        case .admin: ("Username", "Sign in")
        case .shop: ("Email", "Sign In")
        case .forum: ("Username", "Log in")
        case .code, .wiki: ("Username", "Sign in")
        }
    }

    /// Signs in through the site's own login form, as a person would. `site` is the task's site,
    /// needed for forum and code accounts.
    public static func signIn(_ account: String, site hint: SiteName? = nil, browser: some ScriptableBrowser,
                              baseURLs: [SiteName: String]) async throws {
        let (site, password) = try credentials(for: account, site: hint)
        guard let base = baseURLs[site] else {
            throw Error.loginFailed(account: account, url: "", detail: "site \(site) is not running")
        }
        let (user, submit) = loginForm(site)
        let steps: [SolutionStep] = [
            .goto(base + "/login"),
            .type(ElementLocator(role: "textbox", name: user), text: account, enter: false),
            .type(ElementLocator(role: "textbox", name: "Password"), text: password, enter: false),
            .click(ElementLocator(role: "button", name: submit)),
        ]
        do {
            _ = try await ScriptedSolver().run(steps, in: browser)
        } catch {
            throw Error.loginFailed(account: account, url: base + "/login", detail: String(describing: error))
        }
        let landed = await browser.currentURL
        if landed.contains("/login") {
            throw Error.loginFailed(account: account, url: landed, detail: "still on the sign-in page")
        }
    }
}
