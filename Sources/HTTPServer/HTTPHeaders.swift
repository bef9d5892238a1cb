/// A header field name. Names compare case-insensitively; the spelling given is the one written out.
public struct HTTPHeaderName: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawName: String
    /// The lowercased name, for comparisons.
    public let canonicalName: String

    /// nil unless `name` is a valid field name (a non-empty token: no spaces, colons or control characters).
    public init?(_ name: String) {
        guard !name.isEmpty, name.utf8.allSatisfy(HTTPHeaderName.isTokenByte) else { return nil }
        rawName = name
        canonicalName = name.lowercased()
    }

    public init(stringLiteral value: String) {
        guard let name = HTTPHeaderName(value) else { preconditionFailure("invalid header name \(value)") }
        self = name
    }

    public static func == (a: HTTPHeaderName, b: HTTPHeaderName) -> Bool { a.canonicalName == b.canonicalName }
    public func hash(into hasher: inout Hasher) { hasher.combine(canonicalName) }
    public var description: String { rawName }

    /// RFC 9110 `tchar`.
    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(b)
        }
    }

    public static let accept: HTTPHeaderName = "Accept"
    public static let allow: HTTPHeaderName = "Allow"
    public static let authorization: HTTPHeaderName = "Authorization"
    public static let cacheControl: HTTPHeaderName = "Cache-Control"
    public static let connection: HTTPHeaderName = "Connection"
    public static let contentEncoding: HTTPHeaderName = "Content-Encoding"
    public static let contentLength: HTTPHeaderName = "Content-Length"
    public static let contentSecurityPolicy: HTTPHeaderName = "Content-Security-Policy"
    public static let contentType: HTTPHeaderName = "Content-Type"
    public static let cookie: HTTPHeaderName = "Cookie"
    public static let date: HTTPHeaderName = "Date"
    public static let expect: HTTPHeaderName = "Expect"
    public static let host: HTTPHeaderName = "Host"
    public static let location: HTTPHeaderName = "Location"
    public static let server: HTTPHeaderName = "Server"
    public static let setCookie: HTTPHeaderName = "Set-Cookie"
    public static let transferEncoding: HTTPHeaderName = "Transfer-Encoding"
    public static let userAgent: HTTPHeaderName = "User-Agent"
}

/// One header field.
public struct HTTPHeader: Sendable, Hashable {
    public var name: HTTPHeaderName
    public var value: String
    public init(name: HTTPHeaderName, value: String) {
        self.name = name
        self.value = value
    }
}

/// Header fields in the order they were sent or added; a name may repeat (Set-Cookie does).
public struct HTTPHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    private var fields: [HTTPHeader] = []

    public init() {}
    public init(dictionaryLiteral elements: (HTTPHeaderName, String)...) {
        fields = elements.map { HTTPHeader(name: $0.0, value: $0.1) }
    }

    /// The first value of `name`; setting replaces every field of that name (nil removes them).
    public subscript(_ name: HTTPHeaderName) -> String? {
        get { fields.first(where: { $0.name == name })?.value }
        set {
            guard let newValue else { return fields.removeAll { $0.name == name } }
            guard let first = fields.firstIndex(where: { $0.name == name }) else {
                return fields.append(HTTPHeader(name: name, value: newValue))
            }
            fields[first].value = newValue
            var index = fields.count - 1
            while index > first {
                if fields[index].name == name { fields.remove(at: index) }
                index -= 1
            }
        }
    }

    /// Every value of `name`, in order.
    public func values(_ name: HTTPHeaderName) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    public func contains(_ name: HTTPHeaderName) -> Bool { fields.contains { $0.name == name } }

    /// Adds a field, keeping any others of the same name.
    public mutating func append(_ name: HTTPHeaderName, _ value: String) {
        fields.append(HTTPHeader(name: name, value: value))
    }

    public mutating func remove(_ name: HTTPHeaderName) { fields.removeAll { $0.name == name } }

    public var count: Int { fields.count }
    public func makeIterator() -> IndexingIterator<[HTTPHeader]> { fields.makeIterator() }
}
