/// Where a request came from.
public struct ConnectionInfo: Sendable {
    /// The peer's IP address as text ("127.0.0.1", "::1"); nil when unknown.
    public let remoteAddress: String?
    public let remotePort: Int?
    /// The port the server listens on.
    public let localPort: Int

    public init(remoteAddress: String?, remotePort: Int?, localPort: Int) {
        self.remoteAddress = remoteAddress
        self.remotePort = remotePort
        self.localPort = localPort
    }
}

/// Per-request state handed to handlers next to the request: at least the route's path
/// parameters. A site may define its own context to carry more (e.g. whether the peer is local).
public protocol RequestContext: Sendable {
    init(connection: ConnectionInfo)
    var parameters: Parameters { get set }
}

/// The context with nothing but the connection and the path parameters.
public struct BasicRequestContext: RequestContext {
    public let connection: ConnectionInfo
    public var parameters = Parameters()
    public init(connection: ConnectionInfo) { self.connection = connection }
}

/// The values a route's `:name` segments (and its `**` tail) matched, as sent (percent-encoded).
public struct Parameters: Sendable {
    public private(set) var named: [(name: String, value: String)] = []
    /// The path segments a trailing `**` matched.
    public private(set) var catchAll: [String] = []

    public init() {}
    init(named: [(name: String, value: String)], catchAll: [String]) {
        self.named = named
        self.catchAll = catchAll
    }

    public func get(_ name: String) -> String? { named.first { $0.name == name }?.value }
    public func get<T: LosslessStringConvertible>(_ name: String, as: T.Type) -> T? { get(name).flatMap(T.init) }

    /// The value, or a 400 when the route has no such parameter.
    public func require(_ name: String) throws -> String {
        guard let value = get(name) else { throw HTTPError(.badRequest, message: "Missing path parameter \(name).") }
        return value
    }

    /// The value converted, or a 400 when it does not convert (`/f/books/abc` where a number belongs).
    public func require<T: LosslessStringConvertible>(_ name: String, as type: T.Type) throws -> T {
        guard let value = T(try require(name)) else {
            throw HTTPError(.badRequest, message: "The path parameter \(name) is not a valid \(T.self).")
        }
        return value
    }

    public func getCatchAll() -> [String] { catchAll }
}
