import NNetnavSupport
import HTTPServer

extension Response {
    /// An HTML page.
    public static func html(_ html: HTML, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                 body: ResponseBody(string: html.rendered))
    }

    /// Plain text, for control routes and errors.
    public static func text(_ text: String, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"],
                 body: ResponseBody(string: text))
    }

    /// 303 See Other: the browser follows a POST with a GET (post/redirect/get).
    public static func seeOther(_ location: String) -> Response { .redirect(to: location, status: .seeOther) }
}
