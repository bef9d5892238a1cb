/// An error a handler throws to answer with a given status; the server (or a responder that
/// catches it) turns it into a response.
public protocol HTTPResponseError: Error {
    var status: HTTPStatus { get }
    func response() -> Response
}

/// The usual `HTTPResponseError`: a status and an optional message sent as plain text.
public struct HTTPError: HTTPResponseError, Sendable, CustomStringConvertible {
    public let status: HTTPStatus
    public let message: String?

    public init(_ status: HTTPStatus, message: String? = nil) {
        self.status = status
        self.message = message
    }

    public func response() -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"],
                 body: ResponseBody(string: (message ?? status.reasonPhrase) + "\n"))
    }

    public var description: String { "HTTP \(status.code)" + (message.map { ": \($0)" } ?? "") }
}
