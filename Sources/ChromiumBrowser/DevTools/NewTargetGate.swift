import NNetnavSupport
import Foundation
import WebBrowser

/// Holds every new page target of the browser (a tab we open, a popup a page opens with
/// `window.open` or `target=_blank`) paused before its first request, until the request filter
/// of the environment owning its browser context is on it. Without this a popup's first load
/// would reach the network before anything could attach to the new target.
final class NewTargetGate: @unchecked Sendable {
    private let connection: DevToolsConnection
    private let lock = NSLock()
    /// Allowlists by browser context id; contexts without one are let through at once.
    private var allowlists: [String: URLAllowlist] = [:]
    /// Our listener on each held target's session.
    private var sessions: [String: UUID] = [:]

    init(connection: DevToolsConnection) {
        self.connection = connection
    }

    /// Starts holding new targets (browser-level auto-attach, paused on start).
    func start() async throws {
        connection.addListener(session: nil) { [weak self] event in self?.handle(event) }
        try await connection.call("Target.setAutoAttach", ["autoAttach": true, "waitForDebuggerOnStart": true,
                                                          "flatten": true])
    }

    func guardContext(_ contextID: String, with allowlist: URLAllowlist?) {
        lock.withLock { allowlists[contextID] = allowlist }
    }

    func forgetContext(_ contextID: String) {
        _ = lock.withLock { allowlists.removeValue(forKey: contextID) }
    }

    private func handle(_ event: DevToolsEvent) {
        switch event.method {
        case "Target.attachedToTarget":
            guard let session = event.params["sessionId"]?.string else { return }
            let context = event.params["targetInfo"]?["browserContextId"]?.string ?? ""
            let waiting = event.params["waitingForDebugger"]?.bool ?? false
            let allowlist = lock.withLock { allowlists[context] }
            if let allowlist {
                let token = connection.addListener(session: session) { [connection] event in
                    guard event.method == "Fetch.requestPaused" else { return }
                    RequestFilter.decide(event.params, allowlist: allowlist, connection: connection, session: session)
                }
                lock.withLock { sessions[session] = token }
            }
            // Events arrive on the connection's reading thread, which must not wait for replies.
            Task { [connection] in
                if allowlist != nil {
                    try? await connection.call("Fetch.enable", RequestFilter.fetchPatterns, session: session)
                }
                if waiting { try? await connection.call("Runtime.runIfWaitingForDebugger", session: session) }
            }
        case "Target.detachedFromTarget":
            guard let session = event.params["sessionId"]?.string,
                  let token = lock.withLock({ sessions.removeValue(forKey: session) }) else { return }
            connection.removeListener(token)
        default:
            break
        }
    }
}

/// The one decision on a request Chromium paused (`Fetch.requestPaused`), for every session.
enum RequestFilter {
    /// Every request, of every resource type, paused before it is sent.
    static let fetchPatterns: JSONValue = ["patterns": [["urlPattern": "*", "requestStage": "Request"]]]

    /// Continues or fails the request; returns the refusal for a refused page load (a document).
    @discardableResult
    static func decide(_ params: JSONValue, allowlist: URLAllowlist?, connection: DevToolsConnection,
                       session: String) -> String? {
        guard let requestID = params["requestId"]?.string else { return nil }
        let url = params["request"]?["url"]?.string ?? ""
        // data: and blob: URLs carry their bytes with them: nothing leaves the browser.
        let lower = url.lowercased()
        let refusal = lower.hasPrefix("data:") || lower.hasPrefix("blob:") ? nil : allowlist?.refusal(for: url, resourceType: params["resourceType"]?.string)
        Task {
            if refusal == nil {
                try? await connection.call("Fetch.continueRequest", ["requestId": .string(requestID)], session: session)
            } else {
                try? await connection.call("Fetch.failRequest", ["requestId": .string(requestID),
                                                                 "errorReason": "BlockedByClient"], session: session)
            }
        }
        return params["resourceType"]?.string == "Document" ? refusal : nil
    }
}
