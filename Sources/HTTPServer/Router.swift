/// Routes by method and path pattern, built before the server starts answering:
///
/// ```swift
/// let router = Router()
/// router.get("/f/:forum") { request, context in
///     Response(status: .ok, body: .init(string: try context.parameters.require("forum")))
/// }
/// let server = try HTTP1Server.start(responder: router.buildResponder())
/// ```
///
/// A HEAD request takes the GET route when there is no HEAD route (the server drops the body).
/// An unknown path answers 404 and a known path with another method 405, both with empty bodies.
public final class Router<Context: RequestContext>: @unchecked Sendable {
    public typealias Handler = @Sendable (Request, Context) async throws -> Response
    public typealias Next = @Sendable (Request, Context) async throws -> Response
    public typealias Middleware = @Sendable (Request, Context, Next) async throws -> Response

    // Only mutated while the router is being set up, before `buildResponder()`.
    private var routes: [Route<Context>] = []
    private var middlewares: [Middleware] = []

    public init(context: Context.Type) {}

    @discardableResult
    public func on(_ path: String, method: HTTPMethod, use handler: @escaping Handler) -> Self {
        routes.append(Route(method: method, pattern: RoutePattern(path), handler: handler))
        return self
    }

    @discardableResult public func get(_ path: String, use handler: @escaping Handler) -> Self { on(path, method: .get, use: handler) }
    @discardableResult public func post(_ path: String, use handler: @escaping Handler) -> Self { on(path, method: .post, use: handler) }
    @discardableResult public func put(_ path: String, use handler: @escaping Handler) -> Self { on(path, method: .put, use: handler) }
    @discardableResult public func patch(_ path: String, use handler: @escaping Handler) -> Self { on(path, method: .patch, use: handler) }
    @discardableResult public func delete(_ path: String, use handler: @escaping Handler) -> Self { on(path, method: .delete, use: handler) }
    @discardableResult public func head(_ path: String, use handler: @escaping Handler) -> Self { on(path, method: .head, use: handler) }

    /// Runs `middleware` around every request (also unknown routes), in the order added.
    public func add(middleware: @escaping Middleware) { middlewares.append(middleware) }

    /// A responder over the routes added so far.
    public func buildResponder() -> RouterResponder<Context> { RouterResponder(routes: routes, middlewares: middlewares) }
}

extension Router where Context == BasicRequestContext {
    public convenience init() { self.init(context: BasicRequestContext.self) }
}

struct Route<Context: RequestContext>: Sendable {
    let method: HTTPMethod
    let pattern: RoutePattern
    let handler: Router<Context>.Handler
}

/// The routing table of a `Router`, frozen.
public struct RouterResponder<Context: RequestContext>: HTTPResponder {
    let routes: [Route<Context>]
    let middlewares: [Router<Context>.Middleware]

    public func respond(to request: Request, context: Context) async throws -> Response {
        var chain: Router<Context>.Next = { request, context in try await self.route(request, context: context) }
        for middleware in middlewares.reversed() {
            let next = chain
            chain = { request, context in try await middleware(request, context, next) }
        }
        return try await chain(request, context)
    }

    func route(_ request: Request, context: Context) async throws -> Response {
        let path = RoutePattern.split(request.uri.path)
        var best: (route: Route<Context>, parameters: Parameters)?
        var fallback: (route: Route<Context>, parameters: Parameters)? // a GET route for a HEAD request
        var allowed: Set<String> = []
        for route in routes {
            guard let parameters = route.pattern.match(path) else { continue }
            allowed.insert(route.method.rawValue)
            if route.method == request.method {
                if best == nil || route.pattern.isMoreSpecific(than: best!.route.pattern) { best = (route, parameters) }
            } else if request.method == .head, route.method == .get {
                if fallback == nil || route.pattern.isMoreSpecific(than: fallback!.route.pattern) { fallback = (route, parameters) }
            }
        }
        guard let (route, parameters) = best ?? fallback else {
            if allowed.isEmpty { return Response(status: .notFound) }
            if allowed.contains("GET") { allowed.insert("HEAD") }
            return Response(status: .methodNotAllowed, headers: [.allow: allowed.sorted().joined(separator: ", ")])
        }
        var context = context
        context.parameters = parameters
        return try await route.handler(request, context)
    }
}
