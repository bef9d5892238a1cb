import Hummingbird

/// Thrown by a handler to answer with `response` right away, e.g. a redirect to the sign-in page
/// from a helper deep inside the handler. The kit catches it around every site's router.
public struct EarlyResponse: Error, Sendable {
    public let response: Response
    public init(_ response: Response) { self.response = response }
}

/// Turns a thrown `EarlyResponse` into the response it carries; wraps every site's router.
struct EarlyResponseResponder<Inner: HTTPResponder>: HTTPResponder {
    let inner: Inner

    func respond(to request: Request, context: Inner.Context) async throws -> Response {
        do {
            return try await inner.respond(to: request, context: context)
        } catch let early as EarlyResponse {
            return early.response
        }
    }
}
