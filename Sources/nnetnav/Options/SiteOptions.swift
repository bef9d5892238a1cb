import ArgumentParser
import ChromiumBrowser
import WebSites

/// Comma-separated bundled site names, parsed once; an unknown name is reported by `validate()`.
struct SiteList: ExpressibleByArgument, Sendable {
    let text: String
    private let parsed: Result<[SiteName], SiteNameError>

    init(argument: String) {
        text = argument
        parsed = Result { try SiteName.list(parsing: argument) }.mapError { $0 as? SiteNameError ?? .unknown(argument) }
    }

    var defaultValueDescription: String { text }

    func validate(option: String = "--sites") throws {
        // The real WebArena sites, which the commands that support them handle themselves.
        if text == "webarena" { return }
        do { _ = try parsed.get() } catch { throw ValidationError("\(option): \(error)") }
    }

    /// The sites of a validated list.
    var sites: [SiteName] { (try? parsed.get()) ?? [] }
}

/// `--sites`: which bundled sites a command works on.
struct SiteOptions: ParsableArguments {
    @Option(name: .long, help: "Comma-separated bundled sites: shop, admin, forum, code, wiki; or webarena (explore: the real WebArena sites).")
    var sites: SiteList?

    func validate() throws { try sites?.validate() }

    /// `--sites webarena`: the real WebArena sites, which only explore and eval take.
    var namesWebArena: Bool { sites?.text == "webarena" }

    /// The bundled sites named, or `fallback`; `webarena` is an error for commands about bundled sites.
    func bundledSites(or fallback: [SiteName]) throws -> [SiteName] {
        if namesWebArena { throw ValidationError("--sites webarena names the real WebArena sites, which only explore and eval take") }
        return sites(or: fallback)
    }

    /// The named sites, or `fallback` when --sites is not given or empty.
    func sites(or fallback: [SiteName]) -> [SiteName] {
        guard let named = sites?.sites, !named.isEmpty else { return fallback }
        return named
    }
}

extension BrowserBackend: ExpressibleByArgument {}

/// `--browser`: which browser backend runs the episodes.
struct BrowserOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Browser backend: native or chromium.", discussion: """
        native (the default): HTTP + libxml2, no JavaScript, fast. chromium: headless Chromium over the \
        DevTools protocol, one browser context per episode or task. Chromium is started for the run, or \
        reached at NNETNAV_CHROMIUM_ENDPOINT (ws://host:9222/devtools/browser/ID or http://host:9222) \
        when that is set.
        """))
    var browser: BrowserBackend?
}
