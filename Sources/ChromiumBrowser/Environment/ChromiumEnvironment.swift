import Foundation
import WebBrowser
import NNetnavSupport

/// The Chromium backend behind the same contract as the native browser: same observation text
/// (WebArena format), same action grammar, element ids that persist while the element lives.
///
/// Each `reset` starts a fresh browser context, so a previous episode's cookies, tabs or a hung
/// renderer never leak into the next. A `reset` or `step` that exceeds the configured step
/// timeout throws `ChromiumError.timeout`; bad actions only produce an error in the observation.
public final class ChromiumEnvironment: BrowserEnvironment, @unchecked Sendable {
    let session: ChromiumSession
    private let lock = NSLock()
    /// The last observation's printed lines, for `describe(action)`.
    private var shownLines = RenderedTree(lines: [])
    let stepTimeout: Double

    init(browser: ChromiumBrowser, allowlist: URLAllowlist?, marksScriptClickables: Bool = false) {
        session = ChromiumSession(browser: browser, allowlist: allowlist, marksScriptClickables: marksScriptClickables)
        stepTimeout = browser.configuration.stepTimeout
    }

    public func reset(startURL: String) async throws -> Observation {
        let session = session
        let (observation, lines) = try await recovering {
            try await withDeadline(self.stepTimeout, "reset(\(startURL))") { try await session.reset(startURL: startURL) }
        }
        lock.withLock { shownLines = lines }
        return observation
    }

    public func step(_ action: BrowserAction) async throws -> Observation {
        let session = session
        let (observation, lines) = try await recovering {
            try await withDeadline(self.stepTimeout, "step(\(action))") { try await session.step(action) }
        }
        lock.withLock { shownLines = lines }
        return observation
    }

    /// Observes the active tab again without acting (pages that change on their own, timers).
    public func observe() async throws -> Observation {
        let session = session
        let (observation, lines) = try await recovering {
            try await withDeadline(self.stepTimeout, "observe") { try await session.observe() }
        }
        lock.withLock { shownLines = lines }
        return observation
    }

    /// Runs a reset, step or observation; when it stalls (a page's script spinning, a renderer
    /// that stopped answering), the stuck tabs are thrown away and a fresh blank tab opened, so
    /// the next call works, and the timeout is rethrown for the caller to report.
    private func recovering<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch ChromiumError.timeout(let method, let seconds) {
            let session = session
            _ = try? await withDeadline(min(stepTimeout, 20), "recover") { try await session.replaceStalledTargets() }
            throw ChromiumError.timeout(method: method, seconds: seconds)
        }
    }

    /// Adds a script Chromium runs in every new document before the page's own scripts,
    /// from the next `reset` on.
    public func addDocumentScript(_ source: String) async {
        await session.addDocumentScript(source)
    }

    public func describe(_ action: BrowserAction) -> String {
        guard let id = action.elementID else { return action.description }
        let line = lock.withLock { shownLines.description(of: id) }
        guard let line else { return action.description }
        return "\(action.description) where [\(id)] is \(line)"
    }

    public func currentHTML() async -> String? {
        await session.currentHTML()
    }

    /// The latest snapshot of the active tab (tree with ids and boxes), for callers needing structure.
    public func currentSnapshot() async -> PageSnapshot? { await session.lastSnapshot }

    /// Evaluates a JavaScript expression in the active tab (MiniWoB reads its reward this way).
    public func evaluate(_ expression: String) async throws -> JSONValue {
        try await session.evaluate(expression)
    }

    /// Replaces where this environment's tabs may go, from the next `reset` on (MiniWoB++ narrows
    /// it to the task's own page each episode).
    public func restrict(to allowlist: URLAllowlist?) async {
        await session.restrict(to: allowlist)
    }

    /// Closes this environment's browser context and its tabs.
    public func close() async {
        await session.dispose()
    }
}

/// The mutable state of one environment, serialized by the actor.
actor ChromiumSession {
    let browser: ChromiumBrowser
    var contextID: String?
    var tabs: [ChromiumTab] = []
    var active = 0
    var snapshotters: [String: PageSnapshotter] = [:]
    let marksScriptClickables: Bool
    var lastSnapshot: PageSnapshot?
    /// Scripts run in every new document of every tab, before the page's own (MiniWoB hooks).
    var documentScripts: [String] = []
    /// Where this environment's tabs may go; nil lets them go anywhere.
    private(set) var allowlist: URLAllowlist?

    func restrict(to allowlist: URLAllowlist?) { self.allowlist = allowlist }

    init(browser: ChromiumBrowser, allowlist: URLAllowlist?, marksScriptClickables: Bool) {
        self.browser = browser
        self.allowlist = allowlist
        self.marksScriptClickables = marksScriptClickables
    }

    var connection: DevToolsConnection { browser.connection }
    var configuration: ChromiumBrowser.Configuration { browser.configuration }
    var activeTab: ChromiumTab? { tabs.indices.contains(active) ? tabs[active] : nil }

    func addDocumentScript(_ source: String) { documentScripts.append(source) }

    /// A new context's parameters: disposed with our connection, and confined by a proxy to the
    /// allowlist's hosts for the connections the Fetch filter cannot pause (WebSocket).
    var contextParameters: JSONValue {
        var parameters: [String: JSONValue] = ["disposeOnDetach": true]
        parameters.merge(allowlist?.chromiumContextProxy ?? [:]) { a, _ in a }
        return .object(parameters)
    }

    func reset(startURL: String) async throws -> (Observation, RenderedTree) {
        await dispose()
        struct Created: Decodable { let browserContextId: String }
        let created: Created = try await connection.send("Target.createBrowserContext", contextParameters)
        contextID = created.browserContextId
        browser.gate.guardContext(created.browserContextId, with: allowlist)
        let tab = try await openTab()
        if let refusal = allowlist?.refusal(for: startURL) { return try await observe(error: refusal) }
        let error = try await tab.navigate(to: startURL, timeout: configuration.navigationTimeout)
        return try await observe(error: tab.takeRefusals().first ?? error.map { "could not load \(startURL): \($0)" })
    }

    /// A new browser context with one blank tab in place of one whose page stalled.
    func replaceStalledTargets() async throws {
        for tab in tabs { try? await connection.call("Target.closeTarget", ["targetId": .string(tab.targetID)], timeout: 5) }
        await dispose()
        struct Created: Decodable { let browserContextId: String }
        let created: Created = try await connection.send("Target.createBrowserContext", contextParameters)
        contextID = created.browserContextId
        browser.gate.guardContext(created.browserContextId, with: allowlist)
        _ = try await openTab()
    }

    func dispose() async {
        for tab in tabs { tab.detachListener() }
        tabs = []
        snapshotters = [:]
        lastSnapshot = nil
        if let contextID {
            browser.gate.forgetContext(contextID)
            try? await connection.call("Target.disposeBrowserContext", ["browserContextId": .string(contextID)])
        }
        contextID = nil
    }

    /// Creates a blank tab in this context and makes it active.
    func openTab() async throws -> ChromiumTab {
        guard let contextID else { throw ChromiumError.unusable("no browser context; call reset first") }
        struct Created: Decodable { let targetId: String }
        let created: Created = try await connection.send("Target.createTarget", [
            "url": "about:blank", "browserContextId": .string(contextID),
        ])
        let tab = try await adopt(targetID: created.targetId)
        active = tabs.count - 1
        return tab
    }

    private func adopt(targetID: String) async throws -> ChromiumTab {
        let tab = try await ChromiumTab.attach(targetID: targetID, connection: connection)
        if let allowlist { try await tab.enforce(allowlist) }
        for source in documentScripts {
            try await tab.call("Page.addScriptToEvaluateOnNewDocument", ["source": .string(source)])
        }
        tabs.append(tab)
        return tab
    }

    struct TargetInfo: Decodable {
        let targetId: String
        let type: String
        let title: String
        let url: String
        let browserContextId: String?
    }

    /// Page targets of this context; pages opened by the site (target=_blank, window.open) are
    /// attached here and become the active tab, as in a desktop browser.
    private func syncTabs() async throws -> [TargetInfo] {
        struct Targets: Decodable { let targetInfos: [TargetInfo] }
        let targets: Targets = try await connection.send("Target.getTargets")
        let ours = targets.targetInfos.filter { $0.type == "page" && $0.browserContextId == contextID }
        let known = Set(tabs.map(\.targetID))
        for info in ours where !known.contains(info.targetId) {
            let tab = try await adopt(targetID: info.targetId)
            try? await tab.waitForLoad(timeout: configuration.navigationTimeout)
            active = tabs.count - 1
        }
        let alive = Set(ours.map(\.targetId))
        let activeID = activeTab?.targetID
        tabs.removeAll { !alive.contains($0.targetID) }
        active = tabs.firstIndex { $0.targetID == activeID } ?? max(0, tabs.count - 1)
        return ours
    }

    func observe(error: String? = nil) async throws -> (Observation, RenderedTree) {
        let infos = try await syncTabs()
        guard let tab = activeTab else { throw ChromiumError.unusable("no open tab") }
        var snapshotter = snapshotters[tab.targetID] ?? PageSnapshotter(marksScriptClickables: marksScriptClickables)
        let snapshot = try await snapshotter.snapshot(tab, timeout: configuration.commandTimeout)
        snapshotters[tab.targetID] = snapshotter
        lastSnapshot = snapshot

        let top = snapshot.viewport.scrollY, bottom = top + snapshot.viewport.height
        let viewportOnly = configuration.viewportOnly
        // Only nodes laid out in the viewport print (children of hidden nodes still may).
        let rendering = ObservationRenderer.render(root: snapshot.root) { node in
            guard viewportOnly else { return true }
            guard let bounds = node.bounds, !bounds.isEmpty else { return false }
            return bounds.intersectsRows(from: top, to: bottom)
        }
        let titles = tabs.map { tab in infos.first { $0.targetId == tab.targetID }?.title ?? "" }
        var tabTitles = titles
        tabTitles[active] = snapshot.title
        let header = ObservationRenderer.tabHeader(titles: tabTitles, active: active)
        let observation = Observation(
            text: header + "\n\n" + rendering.text(window: 0, size: 0), url: snapshot.url, title: snapshot.title,
            tabs: zip(tabs, tabTitles).map { tab, title in
                Observation.Tab(title: title, url: infos.first { $0.targetId == tab.targetID }?.url ?? "")
            },
            activeTab: active, error: error, status: tab.status,
            viewportIndex: snapshot.viewport.index, viewportCount: snapshot.viewport.count)
        return (observation, rendering)
    }

    func currentHTML() async -> String? {
        guard let tab = activeTab else { return nil }
        return try? await tab.evaluate("document.documentElement ? document.documentElement.outerHTML : ''",
                                       timeout: configuration.commandTimeout).string
    }

    func evaluate(_ expression: String) async throws -> JSONValue {
        guard let tab = activeTab else { throw ChromiumError.unusable("no open tab") }
        return try await tab.evaluate(expression, timeout: configuration.commandTimeout)
    }
}
