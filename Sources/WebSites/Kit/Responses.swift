import NNetnavSupport
import Hummingbird

extension Response {
    /// An HTML page.
    public static func html(_ html: HTML, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: html.rendered)))
    }

    /// Plain text, for control routes and errors.
    public static func text(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// 303 See Other: the browser follows a POST with a GET (post/redirect/get).
    public static func seeOther(_ location: String) -> Response { .redirect(to: location, type: .normal) }
}
