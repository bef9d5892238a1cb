import Foundation
import Hummingbird

/// HTML and HTTP plumbing shared by the forum, code and wiki sites: escaping, the page shell,
/// url-encoded forms, redirects and cookie sessions. Everything is plain server-rendered HTML so
/// that the sites work without JavaScript and give a rich accessibility tree.
enum PageMarkup {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Percent-encodes a value for a URL query or path segment.
    static func urlEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// A full HTML document: `header` holds the site navigation, `main` the page content.
    static func document(title: String, siteName: String, header: String, main: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(title)) - \(escape(siteName))</title>
        <meta name="viewport" content="width=device-width, initial-scale=1"></head>
        <body><header>\(header)</header>
        <main>\(main)</main>
        <footer><p>\(escape(siteName)) &middot; a bundled nnetnav test site</p></footer></body></html>
        """
    }

    static func html(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    /// 303 See Other: the answer to every successful POST, so reloading never re-submits.
    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// Query-string value, trimmed; nil when absent or blank. Decoded like a form body, since
    /// GET forms encode spaces as `+`.
    static func query(_ request: Request, _ name: String) -> String? {
        PostedForm(encoded: request.uri.query ?? "")[name]
    }

    static func page(_ request: Request) -> Int {
        max(1, query(request, "page").flatMap { Int($0) } ?? 1)
    }

    /// "Previous page / Next page" links for a list of `total` items shown `perPage` at a time.
    static func pager(path: String, params: [(String, String)], page: Int, perPage: Int, total: Int) -> String {
        let pages = max(1, (total + perPage - 1) / perPage)
        guard pages > 1 else { return "" }
        func link(_ p: Int) -> String {
            let q = (params + [("page", String(p))]).map { "\($0.0)=\(urlEncode($0.1))" }.joined(separator: "&amp;")
            return "\(path)?\(q)"
        }
        var parts: [String] = []
        if page > 1 { parts.append("<a href=\"\(link(page - 1))\" rel=\"prev\">Previous page</a>") }
        parts.append("<span>Page \(page) of \(pages)</span>")
        if page < pages { parts.append("<a href=\"\(link(page + 1))\" rel=\"next\">Next page</a>") }
        return "<nav aria-label=\"Pagination\">\(parts.joined(separator: " "))</nav>"
    }
}

/// The fields of an `application/x-www-form-urlencoded` request body.
struct PostedForm {
    private var fields: [String: [String]] = [:]

    init(_ request: Request) async throws {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        self.init(encoded: String(buffer: buffer))
    }

    init(encoded: String) {
        for pair in encoded.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            let key = decode(parts[0])
            fields[key, default: []].append(parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// The trimmed value, or nil when missing or blank.
    subscript(_ name: String) -> String? {
        guard let value = fields[name]?.first?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty
        else { return nil }
        return value
    }
}

/// Login sessions kept in memory per running site: a random token in a cookie maps to a user id.
/// A site reset drops them all, like restarting a WebArena container.
final class SessionStore: @unchecked Sendable {
    private let lock = NSLock()
    private var users: [String: Int64] = [:]
    let cookieName: String

    init(cookieName: String) { self.cookieName = cookieName }

    func userID(for request: Request) -> Int64? {
        guard let token = request.cookies[cookieName]?.value else { return nil }
        return lock.withLock { users[token] }
    }

    /// Starts a session and returns the cookie to set.
    func start(userID: Int64) -> Cookie {
        var generator = SystemRandomNumberGenerator()
        let token = (0..<4).map { _ in String(generator.next() as UInt64, radix: 16) }.joined()
        lock.withLock { users[token] = userID }
        return Cookie(name: cookieName, value: token, path: "/")
    }

    func end(_ request: Request) {
        guard let token = request.cookies[cookieName]?.value else { return }
        lock.withLock { _ = users.removeValue(forKey: token) }
    }

    func removeAll() { lock.withLock { users.removeAll() } }
}
