import Foundation
import WebBrowser
import NNetnavSupport

/// One page target (a tab) attached in flat mode, with its load state tracked from events.
public final class ChromiumTab: @unchecked Sendable {
    public let targetID: String
    public let sessionID: String
    let connection: DevToolsConnection
    private let lock = NSLock()
    private var mainFrameID: String?
    private var loading = false
    private var navigations = 0
    /// Navigations the page asked for in this tab (a form submit, a link, `location = ...`): the
    /// renderer announces them before the load starts, which under load can be well after a click.
    private var requestedNavigations = 0
    private var documentStatus = 0
    private var listener: UUID?
    private var allowlist: URLAllowlist?
    /// Page loads refused since the last `takeRefusals()`.
    private var refusals: [String] = []
    /// Listeners on the sessions of popups this page opened.
    private var childListeners: [UUID] = []

    init(targetID: String, sessionID: String, connection: DevToolsConnection) {
        self.targetID = targetID
        self.sessionID = sessionID
        self.connection = connection
    }

    /// Attaches to an existing page target and enables the domains observations and actions need.
    static func attach(targetID: String, connection: DevToolsConnection) async throws -> ChromiumTab {
        struct Attached: Decodable { let sessionId: String }
        let attached: Attached = try await connection.send(
            "Target.attachToTarget", ["targetId": .string(targetID), "flatten": true])
        let tab = ChromiumTab(targetID: targetID, sessionID: attached.sessionId, connection: connection)
        tab.listener = connection.addListener(session: attached.sessionId) { [weak tab] in tab?.handle($0) }
        try await tab.call("Page.enable")
        try await tab.call("Network.enable", ["maxTotalBufferSize": 0, "maxResourceBufferSize": 0])
        try await tab.call("Runtime.enable")
        struct FrameTree: Decodable {
            struct Node: Decodable { struct Frame: Decodable { let id: String }; let frame: Frame }
            let frameTree: Node
        }
        let tree: FrameTree = try await tab.send("Page.getFrameTree")
        tab.lock.withLock { tab.mainFrameID = tree.frameTree.frame.id }
        return tab
    }

    /// From now on, every request of the page outside `allowlist` (documents, frames, scripts,
    /// images, XHR, fetch...) is failed before it leaves the browser;
    /// `takeRefusals()` tells which page loads were refused. A popup the page opens is held
    /// before its first load until the same filter is on it. Not covered: WebSocket handshakes,
    /// which Fetch does not pause and `Network.setBlockedURLs` did not block in Chromium 156.
    func enforce(_ allowlist: URLAllowlist) async throws {
        lock.withLock { self.allowlist = allowlist }
        try await call("Fetch.enable", RequestFilter.fetchPatterns)
        try await call("Target.setAutoAttach", ["autoAttach": true, "waitForDebuggerOnStart": true, "flatten": true])
    }

    /// A target inside this page (an out-of-process frame, a worker), attached automatically and
    /// paused before it loads anything: it gets the same request filter, then runs. (Popups are
    /// new pages, held by the browser's `NewTargetGate`.)
    private func holdNewTarget(_ params: JSONValue) {
        guard let child = params["sessionId"]?.string else { return }
        let waiting = params["waitingForDebugger"]?.bool ?? false
        let popupListener = connection.addListener(session: child) { [weak self] event in
            if event.method == "Fetch.requestPaused" { self?.decide(pausedRequest: event.params, session: child) }
        }
        lock.withLock { childListeners.append(popupListener) }
        Task { [connection] in
            try? await connection.call("Fetch.enable", RequestFilter.fetchPatterns, session: child)
            if waiting { try? await connection.call("Runtime.runIfWaitingForDebugger", session: child) }
        }
    }

    /// Why page loads were refused since the last call.
    func takeRefusals() -> [String] {
        lock.withLock {
            defer { refusals = [] }
            return refusals
        }
    }

    private func decide(pausedRequest params: JSONValue, session: String? = nil) {
        let allowlist = lock.withLock { self.allowlist }
        let refusal = RequestFilter.decide(params, allowlist: allowlist, connection: connection,
                                           session: session ?? sessionID)
        if let refusal { lock.withLock { refusals.append(refusal) } }
    }

    func detachListener() {
        if let listener { connection.removeListener(listener) }
        for child in lock.withLock({ childListeners }) { connection.removeListener(child) }
    }

    public func send<R: Decodable>(_ method: String, _ params: JSONValue = [:], timeout: Double? = nil) async throws -> R {
        try await connection.send(method, params, session: sessionID, timeout: timeout)
    }

    public func call(_ method: String, _ params: JSONValue = [:], timeout: Double? = nil) async throws {
        try await connection.call(method, params, session: sessionID, timeout: timeout)
    }

    /// HTTP status of the last main-document response (0 for file:, data: and about: pages).
    public var status: Int { lock.withLock { documentStatus } }
    var navigationCount: Int { lock.withLock { navigations } }
    var navigationRequestCount: Int { lock.withLock { requestedNavigations } }
    var isLoading: Bool { lock.withLock { loading } }

    private func handle(_ event: DevToolsEvent) {
        if event.method == "Fetch.requestPaused" {
            decide(pausedRequest: event.params)
            return
        }
        if event.method == "Target.attachedToTarget" {
            holdNewTarget(event.params)
            return
        }
        lock.lock()
        defer { lock.unlock() }
        let frame = event.params["frameId"]?.string
        switch event.method {
        case "Page.frameStartedLoading" where frame == mainFrameID:
            loading = true
            navigations += 1
        case "Page.frameRequestedNavigation" where frame == mainFrameID
                && event.params["disposition"]?.string == "currentTab":
            requestedNavigations += 1
        case "Page.frameStoppedLoading" where frame == mainFrameID, "Page.loadEventFired":
            loading = false
        case "Page.frameNavigated" where event.params["frame"]?["parentId"] == nil:
            mainFrameID = event.params["frame"]?["id"]?.string ?? mainFrameID
            let url = event.params["frame"]?["url"]?.string ?? ""
            if !url.hasPrefix("http") { documentStatus = 0 }
        case "Network.responseReceived" where event.params["type"]?.string == "Document" && frame == mainFrameID:
            documentStatus = event.params["response"]?["status"]?.int ?? documentStatus
        default: break
        }
    }

    /// Navigates and waits for the load; returns Chromium's error text (`net::ERR_...`) if it failed.
    public func navigate(to url: String, timeout: Double) async throws -> String? {
        struct Navigated: Decodable { let errorText: String?; let loaderId: String? }
        lock.withLock { loading = true }
        let result: Navigated
        do {
            result = try await send("Page.navigate", ["url": .string(url)], timeout: timeout)
        } catch {
            // Refused outright (an invalid URL): no load will end, so the next wait must not wait for one.
            lock.withLock { loading = false }
            throw error
        }
        if let error = result.errorText, !error.isEmpty {
            lock.withLock { loading = false }
            return error
        }
        // A same-document navigation (a #fragment) has no loader and fires no load events.
        if result.loaderId == nil { lock.withLock { loading = false } }
        try await waitForLoad(timeout: timeout)
        return nil
    }

    /// Waits until the main frame stopped loading and the document is complete, or `timeout` passes.
    /// A page that never finishes loading (long polling, a stuck script) is observed as it is.
    public func waitForLoad(timeout: Double) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while isLoading, Date() < deadline {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        while Date() < deadline {
            let state = try? await evaluate("document.readyState", timeout: max(0.5, deadline.timeIntervalSinceNow))
            if state?.string == "complete" { return }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    /// After an action: give the page a moment to start a navigation it triggered, then wait for it.
    /// A navigation the page requested but has not started yet (a busy machine delays the start by
    /// hundreds of milliseconds) is waited for too, boundedly: a handler may still cancel it.
    public func settle(after navigationsBefore: Int, requestsBefore: Int, timeout: Double) async throws {
        try await Task.sleep(nanoseconds: 60_000_000)
        let deadline = Date().addingTimeInterval(min(timeout, 5))
        while navigationCount == navigationsBefore, !isLoading, navigationRequestCount != requestsBefore,
              Date() < deadline {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        if navigationCount != navigationsBefore || isLoading {
            try await waitForLoad(timeout: timeout)
        }
    }

    /// Evaluates an expression in the main frame and returns its JSON value.
    public func evaluate(_ expression: String, timeout: Double? = nil) async throws -> JSONValue {
        struct Evaluated: Decodable {
            struct Remote: Decodable { let value: JSONValue? }
            struct Exception: Decodable {
                struct Thrown: Decodable { let description: String? }
                let text: String
                let exception: Thrown?
            }
            let result: Remote
            let exceptionDetails: Exception?
        }
        let evaluated: Evaluated = try await send("Runtime.evaluate", [
            "expression": .string(expression), "returnByValue": true, "awaitPromise": true,
        ], timeout: timeout)
        if let exception = evaluated.exceptionDetails {
            throw ChromiumError.javaScript(exception.exception?.description ?? exception.text)
        }
        return evaluated.result.value ?? .null
    }

    /// Calls `function(...) { ... }` with `this` bound to the DOM node; returns its JSON value.
    public func callFunction(on backendNodeID: Int, _ declaration: String, arguments: [JSONValue] = [],
                             timeout: Double? = nil) async throws -> JSONValue {
        struct Resolved: Decodable { struct Object: Decodable { let objectId: String? }; let object: Object }
        let resolved: Resolved = try await send("DOM.resolveNode", ["backendNodeId": .number(Double(backendNodeID))],
                                                timeout: timeout)
        guard let objectID = resolved.object.objectId else { throw ChromiumError.javaScript("node is gone") }
        struct Called: Decodable {
            struct Remote: Decodable { let value: JSONValue? }
            struct Exception: Decodable { let text: String }
            let result: Remote
            let exceptionDetails: Exception?
        }
        let called: Called = try await send("Runtime.callFunctionOn", [
            "objectId": .string(objectID), "functionDeclaration": .string(declaration),
            "arguments": .array(arguments.map { ["value": $0] }), "returnByValue": true, "awaitPromise": true,
        ], timeout: timeout)
        try? await call("Runtime.releaseObject", ["objectId": .string(objectID)], timeout: timeout)
        if let exception = called.exceptionDetails { throw ChromiumError.javaScript(exception.text) }
        return called.result.value ?? .null
    }
}
