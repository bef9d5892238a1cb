import Foundation
import ChromiumBrowser
import WebBrowser
import WebTasks
import NNetnavSupport

// Here rather than in either module: WebTasks and ChromiumBrowser do not depend on each other.
// `currentURL`, `elementIDs(role:name:)` and `close()` are ChromiumEnvironment's own.
extension ChromiumEnvironment: ScriptableBrowser {
    public func text(_ locator: TextLocator) async throws -> String? {
        switch locator {
        case .page:
            return try await renderedText(selector: nil)
        case .selector(let css):
            return try await renderedText(selector: css)
        case .accessibilityNode(let role, let name):
            guard let id = await elementIDs(role: role, name: name).first else { return nil }
            return try await renderedText(elementID: id)
        case .javaScript(let expression):
            return try await javaScriptText(expression)
        }
    }

    public func sessionCookies() async throws -> [JSONValue]? { try await contextCookies() }

    public func addSessionCookies(_ cookies: [JSONValue]) async throws -> Bool {
        try await addContextCookies(cookies)
        return true
    }

    /// Evaluates WebArena's locator expression in the page through DevTools `Runtime.evaluate`. A
    /// throw inside the page (a `null.outerText`) reads as nil, as WebArena reads it as nothing;
    /// a failing browser still throws. Strings come back as they are, other values as JavaScript's
    /// `String(v)` (`selectedIndex` → "1", `checked.toString()` → "true"), null and undefined as ""
    /// (WebArena's `str(None)` gave the text "None").
    func javaScriptText(_ expression: String) async throws -> String? {
        let value = try await evaluate("""
            (() => { let v; try { v = (\n\(expression)\n); } catch (e) { return { thrown: String(e) }; }
              return { value: (v === null || v === undefined) ? '' : (typeof v === 'string' ? v : String(v)) }; })()
            """)
        guard case .object(let result) = value, case .string(let text)? = result["value"] else { return nil }
        return text
    }
}
