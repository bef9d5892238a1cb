import Foundation
import HTTPServer

/// Server-side sessions in memory, one store per site instance.
///
/// Sessions are keyed by a random token kept in a cookie whose name includes the site and port:
/// all sites share the host 127.0.0.1 and cookies ignore ports, so one name would let the shop's
/// login leak into the admin. Resetting a site clears its sessions (a fresh, logged-out state).
public final class SessionStore: @unchecked Sendable {
    public let cookieName: String
    private var sessions: [String: [String: String]] = [:]
    private let lock = NSLock()

    public init(cookieName: String) { self.cookieName = cookieName }

    /// The session's values, empty when the request carries no known session.
    public func values(for request: Request) -> [String: String] {
        guard let token = request.cookies[cookieName]?.value else { return [:] }
        return lock.withLock { sessions[token] ?? [:] }
    }

    public func value(_ key: String, for request: Request) -> String? { values(for: request)[key] }

    /// Sets (or with nil removes) one value, creating the session if needed; the returned cookie
    /// must be set on the response when non-nil (a new session).
    public func set(_ key: String, _ value: String?, for request: Request) -> Cookie? {
        var token = request.cookies[cookieName]?.value
        var newCookie: Cookie?
        lock.withLock {
            if token == nil || sessions[token!] == nil {
                token = Self.newToken()
                sessions[token!] = [:]
                newCookie = Cookie(name: cookieName, value: token!, path: "/", httpOnly: true)
            }
            sessions[token!]![key] = value
        }
        return newCookie
    }

    /// Ends the session of this request (log out).
    public func destroy(for request: Request) {
        guard let token = request.cookies[cookieName]?.value else { return }
        _ = lock.withLock { sessions.removeValue(forKey: token) }
    }

    public func removeAll() { lock.withLock { sessions.removeAll() } }

    private static func newToken() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(g.next(), radix: 16) }.joined()
    }
}

extension Response {
    /// Sets the cookie when there is one (see `SessionStore.set`).
    public func with(cookie: Cookie?) -> Response {
        guard let cookie else { return self }
        var copy = self
        copy.setCookie(cookie)
        return copy
    }
}
