import Foundation

/// A request target split into its path and query, both as sent (still percent-encoded).
public struct URI: Sendable, Hashable, CustomStringConvertible {
    /// The target as sent (origin form: `/path?query`).
    public let string: String
    public let path: String
    /// The text after `?`, nil when there is no `?`.
    public let query: String?

    public init(_ string: String) {
        self.string = string
        if let mark = string.firstIndex(of: "?") {
            path = String(string[..<mark])
            query = String(string[string.index(after: mark)...])
        } else {
            path = string
            query = nil
        }
    }

    /// The query's fields, decoded.
    public var queryParameters: QueryParameters { QueryParameters(encoded: query ?? "") }
    public var description: String { string }
}

/// Decoded `name=value&...` fields of a query string, in order.
public struct QueryParameters: Sendable, Sequence {
    public let pairs: [(name: String, value: String)]

    public init(encoded: String) {
        pairs = encoded.split(separator: "&").map { part in
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (QueryParameters.decode(kv[0]), kv.count > 1 ? QueryParameters.decode(kv[1]) : "")
        }
    }

    /// `+` is a space; malformed percent escapes are kept as sent.
    static func decode(_ s: Substring) -> String {
        let spaced = s.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// The first value of `name`.
    public subscript(_ name: String) -> String? { pairs.first { $0.name == name }?.value }
    public func get(_ name: String) -> String? { self[name] }
    public func get<T: LosslessStringConvertible>(_ name: String, as: T.Type) -> T? { self[name].flatMap(T.init) }
    public func all(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }
    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { pairs.makeIterator() }
}

/// One request, with its whole body (the server reads it, within its size limit, before routing).
public struct Request: Sendable {
    public var method: HTTPMethod
    public var uri: URI
    /// "HTTP/1.1" or "HTTP/1.0".
    public var version: String
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(method: HTTPMethod, uri: URI, version: String = "HTTP/1.1", headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.method = method
        self.uri = uri
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// The body as UTF-8 text (invalid sequences replaced).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
    public var bodyData: Data { Data(body) }

    /// The body, or a 413 when it is longer than `limit` bytes (a route's own limit, below the server's).
    public func body(upTo limit: Int) throws -> [UInt8] {
        guard body.count <= limit else {
            throw HTTPError(.contentTooLarge, message: "The request body is larger than \(limit) bytes.")
        }
        return body
    }

    public var cookies: Cookies { Cookies(headerValues: headers.values(.cookie)) }
}
