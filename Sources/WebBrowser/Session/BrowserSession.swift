import Foundation
import HTTPTransport

/// The native headless browser: tabs with history, a cookie jar, HTML without JavaScript,
/// WebArena text observations and the WebArena action grammar.
///
/// One session is one browser profile (its own libcurl handle and cookies). Steps are meant to
/// be issued one at a time by one agent; state is guarded so overlapping calls cannot corrupt it.
public final class BrowserSession: BrowserEnvironment, @unchecked Sendable {
    public let configuration: BrowserConfiguration
    let client: HTTPClient
    private let lock = NSLock()
    // Guarded by `lock`.
    var tabs: [Tab] = [Tab(page: .blank())]
    var active = 0

    public init(configuration: BrowserConfiguration = BrowserConfiguration()) {
        self.configuration = configuration
        // Redirects are followed here, not by curl, so every hop passes the allowlist first.
        self.client = HTTPClient(configuration: .init(
            timeout: configuration.timeout, connectTimeout: configuration.connectTimeout,
            maxBodyBytes: configuration.maxBodyBytes, followRedirects: false, keepsCookies: true,
            allowFileURLs: configuration.allowFileURLs, userAgent: configuration.userAgent))
    }

    // MARK: - Public state

    /// The accessibility tree of the active tab's page.
    public var accessibilityTree: AccessibilityTree { withLock { tabs[active].page.tree } }

    /// The active tab's URL.
    public var currentURL: String { withLock { tabs[active].page.url } }

    /// What the user typed, ticked, chose and opened on the active page since it loaded.
    public var formState: FormState { withLock { tabs[active].page.state } }

    /// The observation of the current state, without acting.
    public var observation: Observation { withLock { makeObservation(error: nil) } }

    /// Cookies in the jar, as Netscape cookie-file lines.
    public var cookies: [String] { client.cookieLines }

    // MARK: - BrowserEnvironment

    /// Closes every tab, forgets cookies and opens `startURL`.
    public func reset(startURL: String) async throws -> Observation {
        client.clearCookies()
        withLock {
            tabs = [Tab(page: .blank())]
            active = 0
        }
        return await navigate(to: startURL, in: nil)
    }

    public func step(_ action: BrowserAction) async throws -> Observation {
        switch action {
        case .click(let id): return await click(id)
        case .type(let id, let text, let enter): return await type(id, text: text, pressEnter: enter)
        case .hover(let id):
            return withLock { lookup(id, verb: "hover") == nil ? makeObservation(error: notFound("hover", id)) : makeObservation(error: nil) }
        case .press(let keys): return await press(keys)
        case .scroll(let direction): return withLock { scroll(direction) }
        case .selectOption(let id, let value): return withLock { selectOption(id, value: value) }
        case .newTab:
            return withLock {
                tabs.append(Tab(page: .blank()))
                active = tabs.count - 1
                return makeObservation(error: nil)
            }
        case .tabFocus(let index):
            return withLock {
                guard tabs.indices.contains(index) else {
                    return makeObservation(error: "There is no tab \(index); open tabs are 0...\(tabs.count - 1).")
                }
                active = index
                return makeObservation(error: nil)
            }
        case .closeTab:
            return withLock {
                tabs.remove(at: active)
                if tabs.isEmpty { tabs = [Tab(page: .blank())] }
                active = min(active, tabs.count - 1)
                return makeObservation(error: nil)
            }
        case .goto(let url):
            let base = currentURL
            let target = URLResolution.resolve(url, against: base == "about:blank" ? url : base) ?? url
            return await navigate(to: target, in: nil)
        case .goBack: return withLock { moveInHistory(by: -1) }
        case .goForward: return withLock { moveInHistory(by: 1) }
        case .stop: return observation
        case .invalid(let raw, let reason):
            return withLock {
                makeObservation(error: "The previous prediction you issued was \"\(raw)\". However, the format was incorrect: \(reason)")
            }
        }
    }

    public func describe(_ action: BrowserAction) -> String {
        withLock {
            let rendered = tabs[active].page.rendered
            func element(_ id: Int) -> String? { rendered.description(of: id) }
            switch action {
            case .click(let id), .hover(let id), .type(let id, _, _), .selectOption(let id, _):
                guard let what = element(id) else { return notFound(action.verb, id) }
                return "\(action.description) where [\(id)] is \(what)"
            case .tabFocus(let index):
                return "tab_focus [\(index)]"
            default:
                return action.description
            }
        }
    }

    public func currentHTML() async -> String? {
        withLock {
            let page = tabs[active].page
            return page.url == "about:blank" ? nil : page.document.source
        }
    }

    // MARK: - Observation

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Must be called with the lock held.
    func makeObservation(error: String?) -> Observation {
        let header = ObservationRenderer.tabHeader(titles: tabs.map { $0.page.title }, active: active)
        let note = page.document.depthNote
        let windows = viewportWindows(header: header)
        let window = min(page.scroll, windows.count - 1)
        var text = header + "\n\n" + page.rendered.text(lines: windows[window])
        // Said on every window: the model would otherwise take the flattened levels as the page's.
        if let note { text += "\n\n" + note }
        var error = error
        if error == nil, page.status >= 400 { error = "HTTP \(page.status) \(Self.reason(page.status)) for \(page.url)" }
        return Observation(text: text, url: page.url, title: page.title,
                           tabs: tabs.map { Observation.Tab(title: $0.page.title, url: $0.page.url) },
                           activeTab: active, error: error, status: page.status,
                           viewportIndex: window, viewportCount: windows.count)
    }

    /// The active page's windows (lock held). With a budget, what every window repeats (the tab
    /// header, the root line, the depth note and the blank lines between them) is reserved first.
    func viewportWindows(header: String? = nil) -> [Range<Int>] {
        let budget = configuration.viewportBudget
        var reserved = 0
        if let budget {
            let header = header ?? ObservationRenderer.tabHeader(titles: tabs.map { $0.page.title }, active: active)
            reserved = budget.cost(header + "\n\n" + (page.rendered.lines.first?.text ?? ""))
                + (page.document.depthNote.map { budget.cost("\n\n" + $0) } ?? 0)
        }
        if let cached = page.windowCache, cached.reserved == reserved { return cached.windows }
        let windows = page.rendered.windows(size: configuration.viewportLines, budget: budget, reserved: reserved)
        page.windowCache = (reserved, windows)
        return windows
    }

    func notFound(_ verb: String, _ id: Int) -> String {
        "Attempt to perform \"\(verb)\" on element \"[\(id)]\" but no matching element found. Please check the observation more carefully."
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        default: status >= 500 ? "Server Error" : "Client Error"
        }
    }

    // MARK: - Tab state helpers (lock held)

    var activeTab: Tab {
        get { tabs[active] }
        set { tabs[active] = newValue }
    }

    var page: Page {
        get { tabs[active].page }
        set { tabs[active].page = newValue }
    }

    /// The node for `id` on the current page.
    func lookup(_ id: Int, verb: String) -> AccessibilityNode? {
        page.tree.node(id: id)
    }

    private func scroll(_ direction: BrowserAction.ScrollDirection) -> Observation {
        let count = viewportWindows().count
        var current = page
        current.scroll = max(0, min(count - 1, current.scroll + (direction == .down ? 1 : -1)))
        page = current
        return makeObservation(error: nil)
    }

    private func moveInHistory(by delta: Int) -> Observation {
        let target = tabs[active].position + delta
        guard tabs[active].history.indices.contains(target) else {
            return makeObservation(error: delta < 0 ? "There is no previous page to go back to." : "There is no next page to go forward to.")
        }
        tabs[active].position = target
        return makeObservation(error: nil)
    }

    // MARK: - Navigation

    /// Loads `url` into the active tab (or a new tab when `newTab`), following redirects and
    /// checking every hop against the allowlist. Errors leave the current page in place.
    func navigate(to url: String, in newTab: Bool?) async -> Observation {
        await load(HTTPRequest(url: url), newTab: newTab ?? false)
    }

    func load(_ first: HTTPRequest, newTab: Bool) async -> Observation {
        // Same-document fragment navigation: no request, a new history entry.
        let current = currentURL
        if first.method == .get, first.url.contains("#"), current != "about:blank",
           URLResolution.removingFragment(first.url) == URLResolution.removingFragment(current), !newTab {
            return withLock {
                var next = page
                next.url = first.url
                next.scroll = 0
                tabs[active].push(next)
                return makeObservation(error: nil)
            }
        }
        switch await fetch(first) {
        case .failure(let message):
            return withLock { makeObservation(error: message.description) }
        case .success(let loaded):
            return withLock {
                if newTab {
                    tabs.append(Tab(page: loaded))
                    active = tabs.count - 1
                } else if page.url == "about:blank" && tabs[active].history.count == 1 {
                    tabs[active] = Tab(page: loaded)
                } else {
                    tabs[active].push(loaded)
                }
                return makeObservation(error: nil)
            }
        }
    }

    /// Requests a page, following redirects itself so that a redirect off the allowlist is refused.
    func fetch(_ first: HTTPRequest) async -> Result<Page, FetchError> {
        var request = first
        request.url = URLResolution.removingFragment(first.url)
        if first.url.lowercased() == "about:blank" { return .success(.blank()) }
        for _ in 0...configuration.maxRedirects {
            if let refusal = configuration.refusal(for: request.url) { return .failure(FetchError(refusal)) }
            let response: HTTPResponse
            do {
                response = try await client.send(request)
            } catch let error as HTTPError {
                return .failure(FetchError("Could not load \(request.url): \(error.description)"))
            } catch {
                return .failure(FetchError("Could not load \(request.url): \(error)"))
            }
            if [301, 302, 303, 307, 308].contains(response.status), let location = response.header("Location") {
                guard let next = URLResolution.resolve(location, against: request.url) else {
                    return .failure(FetchError("\(request.url) redirected to an invalid URL: \(location)"))
                }
                // 303, and 301/302 after POST, become GET as in browsers; 307/308 repeat the request.
                if response.status == 303 || (request.method == .post && response.status <= 302) {
                    request = HTTPRequest(method: .get, url: next)
                } else {
                    request.url = next
                }
                continue
            }
            let fragment = first.url.firstIndex(of: "#").map { String(first.url[$0...]) } ?? ""
            let finalURL = response.url.isEmpty ? request.url : response.url
            return .success(Page(url: finalURL + (request.url == URLResolution.removingFragment(first.url) ? fragment : ""),
                                 status: response.status, document: Self.document(from: response, url: finalURL,
                                                                          styleSheets: configuration.applyStyleSheets),
                                 subframes: SubframePlaceholders(refusal: { [configuration] in configuration.refusal(for: $0) })))
        }
        return .failure(FetchError("Too many redirects (more than \(configuration.maxRedirects)) from \(first.url)"))
    }

    struct FetchError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// HTML is parsed as such; other text is shown the way browsers show it, in a `<pre>`.
    static func document(from response: HTTPResponse, url: String, styleSheets: Bool = true) -> HTMLDocument {
        let contentType = (response.contentType ?? "").lowercased()
        var charset: String?
        if let range = contentType.range(of: "charset=") {
            charset = contentType[range.upperBound...].split(separator: ";").first
                .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"' ")) }
        }
        let isHTML = contentType.isEmpty || contentType.contains("html") || contentType.contains("xml")
        if isHTML { return HTMLDocument.parse(response.body, url: url, encoding: charset, styleSheets: styleSheets) }
        let text = response.text
            .replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        return HTMLDocument.parse(html: "<html><body><pre>\(text)</pre></body></html>", url: url)
    }
}
