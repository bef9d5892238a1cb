/// Anything that answers requests: a router's responder, or a wrapper around one.
public protocol HTTPResponder<Context>: Sendable {
    associatedtype Context: RequestContext
    func respond(to request: Request, context: Context) async throws -> Response
}

/// A responder made of a closure.
public struct ClosureResponder<Context: RequestContext>: HTTPResponder {
    public let body: @Sendable (Request, Context) async throws -> Response
    public init(_ body: @escaping @Sendable (Request, Context) async throws -> Response) { self.body = body }
    public func respond(to request: Request, context: Context) async throws -> Response { try await body(request, context) }
}
