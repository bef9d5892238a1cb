import Foundation

/// An HTTP request as the browser and the model clients build it.
public struct HTTPRequest: Sendable, Hashable {
    public enum Method: String, Sendable, Hashable { case get = "GET", post = "POST", put = "PUT", delete = "DELETE", head = "HEAD" }

    public var method: Method
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: Data?
    /// Overrides the client's timeout for this one request.
    public var timeout: TimeInterval?

    public init(method: Method = .get, url: String, headers: [(name: String, value: String)] = [],
                body: Data? = nil, timeout: TimeInterval? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    public static func == (a: HTTPRequest, b: HTTPRequest) -> Bool {
        a.method == b.method && a.url == b.url && a.body == b.body && a.timeout == b.timeout
            && a.headers.map { "\($0.name):\($0.value)" } == b.headers.map { "\($0.name):\($0.value)" }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(url)
        hasher.combine(body)
        for h in headers { hasher.combine(h.name); hasher.combine(h.value) }
    }
}

/// A complete response. `url` is the final URL after redirects.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: Data
    public var redirectCount: Int
    public var elapsed: TimeInterval

    public init(status: Int, url: String, headers: [(name: String, value: String)], body: Data,
                redirectCount: Int = 0, elapsed: TimeInterval = 0) {
        self.status = status
        self.url = url
        self.headers = headers
        self.body = body
        self.redirectCount = redirectCount
        self.elapsed = elapsed
    }

    /// First value of a header, case-insensitively.
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    public var contentType: String? { header("Content-Type") }
    public var text: String { String(decoding: body, as: UTF8.self) }
}

public enum HTTPError: Error, CustomStringConvertible, Sendable, Equatable {
    case invalidURL(String)
    case timedOut(url: String, seconds: TimeInterval)
    case bodyTooLarge(url: String, limit: Int)
    case connectionFailed(url: String, message: String)
    case tooManyRedirects(url: String)
    case protocolNotAllowed(url: String)
    case transport(url: String, code: Int, message: String)

    public var description: String {
        switch self {
        case .invalidURL(let u): return "invalid URL: \(u)"
        case .timedOut(let u, let s): return "request to \(u) timed out after \(s) s"
        case .bodyTooLarge(let u, let l): return "response from \(u) is larger than the \(l)-byte limit"
        case .connectionFailed(let u, let m): return "could not connect to \(u): \(m)"
        case .tooManyRedirects(let u): return "too many redirects from \(u)"
        case .protocolNotAllowed(let u): return "protocol not allowed: \(u)"
        case .transport(let u, let c, let m): return "HTTP transport error \(c) for \(u): \(m)"
        }
    }
}
