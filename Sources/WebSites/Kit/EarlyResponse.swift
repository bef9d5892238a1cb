import NNetnavSupport
import HTTPServer

/// Thrown by a handler to answer with `response` right away, e.g. a redirect to the sign-in page
/// from a helper deep inside the handler. The kit catches it around every site's router.
public struct EarlyResponse: Error, Sendable {
    public let response: Response
    public init(_ response: Response) { self.response = response }
}

/// Wraps every site's router: a thrown `EarlyResponse` becomes its response, and errors become
/// small HTML pages with a way home, so an agent that hits a bad URL or bad input sees a page
/// saying what went wrong instead of an empty body.
struct EarlyResponseResponder<Inner: HTTPResponder>: HTTPResponder {
    let inner: Inner
    let siteTitle: String

    func respond(to request: Request, context: Inner.Context) async throws -> Response {
        do {
            let response = try await inner.respond(to: request, context: context)
            // The router answers unknown routes (404) and wrong methods (405) with an empty body.
            if response.status.code >= 400, response.headers[.contentType] == nil {
                return errorResponse(response.status, path: request.uri.path)
            }
            return response
        } catch let early as EarlyResponse {
            return early.response
        } catch let error as HTTPResponseError {
            return errorResponse(error.status, path: request.uri.path)
        } catch {
            return .html(Self.errorPage(title: "Something Went Wrong", text: "The server could not complete the request: \(error)",
                                        siteTitle: siteTitle), status: .internalServerError)
        }
    }

    func errorResponse(_ status: HTTPStatus, path: String) -> Response {
        let (title, text) = status == .notFound
            ? ("Page Not Found", "There is no page at \(path).")
            : ("Request Not Accepted", "The request could not be handled (HTTP \(status.code)).")
        return .html(Self.errorPage(title: title, text: text, siteTitle: siteTitle), status: status)
    }

    static func errorPage(title: String, text: String, siteTitle: String) -> HTML {
        Markup.page(title: title, siteTitle: siteTitle, nav: "<nav aria-label=\"Site\"><a href=\"/\">Home</a></nav>",
                    body: "<p>\(text)</p><p><a href=\"/\">Go to the home page</a></p>")
    }
}
