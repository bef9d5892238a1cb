import Foundation
import WebBrowser
import NNetnavSupport

/// Reading the page without acting on it, for scripted solutions and evaluators: the elements of
/// the latest observation by role and name, and rendered text taken from the live DOM (so it is
/// what Chromium lays out, not a re-implementation of it).
extension ChromiumEnvironment {
    /// The active tab's URL at the latest observation ("" before the first).
    public var currentURL: String {
        get async { await session.lastSnapshot?.url ?? "" }
    }

    /// Ids of the latest observation's nodes with this role (any role when nil) and name, as
    /// `NameLookup` orders them. The whole page counts, not only the part in the window: acting on
    /// an element scrolls it into view first.
    public func elementIDs(role: String?, name: String) async -> [Int] {
        guard let root = await session.lastSnapshot?.root else { return [] }
        var nodes: [PageTreeNode] = []
        root.forEach { node in
            if !ObservationRenderer.droppedRoles.contains(node.role) { nodes.append(node) }
        }
        return NameLookup.matches(in: nodes, role: role, name: name, roleOf: \.role, nameOf: \.name).map(\.id)
    }

    /// The rendered text of the page body (`selector` nil) or of every element the CSS selector
    /// matches, space-joined and whitespace-collapsed; a form field reads as its value. Nil when
    /// nothing matches or the selector is not valid CSS; throws only when the browser fails.
    public func renderedText(selector: String?) async throws -> String? {
        try await session.renderedText(selector: selector).map(Self.collapsed)
    }

    /// The rendered text of an element of the latest observation (a text node's own text); nil
    /// when the id is not in it.
    public func renderedText(elementID: Int) async throws -> String? {
        try await session.renderedText(elementID: elementID).map(Self.collapsed)
    }

    static func collapsed(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

extension ChromiumSession {
    /// What a person sees of an element: a text field's value, else its `innerText`.
    static let shownText = """
        (el) => el.tagName === 'TEXTAREA' ? el.value
          : el.tagName === 'INPUT' ? (['hidden', 'checkbox', 'radio'].includes(el.type) ? '' : el.value)
          : (el.innerText || '')
        """

    func renderedText(selector: String?) async throws -> String? {
        guard let tab = activeTab else { throw ChromiumError.unusable("no open tab") }
        let targets = try selector.map { "document.querySelectorAll(\(try Self.javaScriptString($0)))" }
            ?? "[document.body || document.documentElement]"
        let value = try await tab.evaluate("""
            (() => {
              const shown = \(Self.shownText);
              let found;
              try { found = Array.from(\(targets)).filter(Boolean); } catch (e) { return null; }
              return found.length ? found.map(shown).join(' ') : null;
            })()
            """, timeout: configuration.commandTimeout)
        return value.string
    }

    func renderedText(elementID: Int) async throws -> String? {
        guard let tab = activeTab else { throw ChromiumError.unusable("no open tab") }
        guard let node = lastSnapshot?.backendNodes[elementID] else { return nil }
        let value = try await tab.callFunction(on: node, """
            function() { return this.nodeType === 1 ? (\(Self.shownText))(this) : (this.textContent || ''); }
            """, timeout: configuration.commandTimeout)
        return value.string
    }

    /// `text` as a JavaScript string literal (JSON's string syntax is JavaScript's).
    static func javaScriptString(_ text: String) throws -> String {
        String(decoding: try JSONEncoder().encode(text), as: UTF8.self)
    }
}

// Cookies of this environment's browser context, so a sign-in is done once and its session
// reused by later contexts (WebArena's `storage_state`).
extension ChromiumEnvironment {
    /// The context's cookies as DevTools describes them (`Network.Cookie` objects).
    public func contextCookies() async throws -> [JSONValue] {
        try await session.contextCookies()
    }

    /// Adds cookies (as `contextCookies()` returned them) to the current context; call after `reset`.
    public func addContextCookies(_ cookies: [JSONValue]) async throws {
        try await session.addContextCookies(cookies)
    }
}

extension ChromiumSession {
    func contextCookies() async throws -> [JSONValue] {
        guard let contextID else { throw ChromiumError.unusable("no browser context; call reset first") }
        struct Cookies: Decodable { let cookies: [JSONValue] }
        let result: Cookies = try await connection.send("Storage.getCookies", ["browserContextId": .string(contextID)])
        return result.cookies
    }

    func addContextCookies(_ cookies: [JSONValue]) async throws {
        guard let contextID else { throw ChromiumError.unusable("no browser context; call reset first") }
        // Storage.setCookies takes CookieParam: the read-only fields of a Network.Cookie must go.
        let settable: Set<String> = ["name", "value", "url", "domain", "path", "secure", "httpOnly", "sameSite", "expires",
                                     "priority", "sameParty", "sourceScheme", "sourcePort", "partitionKey"]
        let params: [JSONValue] = cookies.map { cookie in
            guard case .object(let fields) = cookie else { return cookie }
            var kept = fields.filter { settable.contains($0.key) }
            // A session cookie reads as expires -1, which setCookies would take as already expired.
            if case .number(let e)? = kept["expires"], e < 0 { kept["expires"] = nil }
            return .object(kept)
        }
        try await connection.call("Storage.setCookies", ["cookies": .array(params), "browserContextId": .string(contextID)])
    }
}
