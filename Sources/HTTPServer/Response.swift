import Foundation

/// A response body, held whole in memory (the project's pages are small).
public struct ResponseBody: Sendable, Hashable {
    public var bytes: [UInt8]

    public init() { bytes = [] }
    public init(string: String) { bytes = Array(string.utf8) }
    public init(bytes: some Sequence<UInt8>) { self.bytes = Array(bytes) }

    public var count: Int { bytes.count }
}

public struct Response: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: ResponseBody

    public init(status: HTTPStatus, headers: HTTPHeaders = [:], body: ResponseBody = ResponseBody()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Adds a `Set-Cookie` field (others stay: a response may set several cookies).
    public mutating func setCookie(_ cookie: Cookie) {
        headers.append(.setCookie, cookie.setCookieValue)
    }

    /// A redirect: 303 See Other by default (after a POST the browser follows with a GET).
    public static func redirect(to location: String, status: HTTPStatus = .seeOther) -> Response {
        Response(status: status, headers: [.location: location])
    }
}
