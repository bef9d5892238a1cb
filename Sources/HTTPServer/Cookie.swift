/// A cookie: as read from a request's `Cookie` header (name and value only), or to be set with
/// `Set-Cookie` (with its attributes).
public struct Cookie: Sendable, Hashable {
    public enum SameSite: String, Sendable { case strict = "Strict", lax = "Lax", none = "None" }

    public var name: String
    public var value: String
    public var path: String?
    public var domain: String?
    /// Seconds; 0 or less deletes the cookie.
    public var maxAge: Int?
    public var secure: Bool
    public var httpOnly: Bool
    public var sameSite: SameSite?

    public init(name: String, value: String, path: String? = nil, domain: String? = nil, maxAge: Int? = nil,
                secure: Bool = false, httpOnly: Bool = false, sameSite: SameSite? = nil) {
        self.name = name
        self.value = value
        self.path = path
        self.domain = domain
        self.maxAge = maxAge
        self.secure = secure
        self.httpOnly = httpOnly
        self.sameSite = sameSite
    }

    /// The `Set-Cookie` header value.
    public var setCookieValue: String {
        var parts = ["\(name)=\(value)"]
        if let path { parts.append("Path=\(path)") }
        if let domain { parts.append("Domain=\(domain)") }
        if let maxAge { parts.append("Max-Age=\(maxAge)") }
        if secure { parts.append("Secure") }
        if httpOnly { parts.append("HttpOnly") }
        if let sameSite { parts.append("SameSite=\(sameSite.rawValue)") }
        return parts.joined(separator: "; ")
    }
}

/// The cookies a request sent, from all its `Cookie` headers; the first of a repeated name wins.
public struct Cookies: Sendable {
    public private(set) var all: [Cookie] = []

    init(headerValues: [String]) {
        for header in headerValues {
            for pair in header.split(separator: ";") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = kv[0].trimmingSpaces
                guard !name.isEmpty else { continue }
                var value = kv.count > 1 ? kv[1].trimmingSpaces : ""
                if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
                all.append(Cookie(name: name, value: value))
            }
        }
    }

    public subscript(_ name: String) -> Cookie? { all.first { $0.name == name } }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
