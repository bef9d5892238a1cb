import Foundation
import HTTPServer
import WebSites

/// Serves a folder of saved pages on loopback, so both browsers load them over HTTP as they would
/// a live site. HTML goes out as `text/html`, by default without a charset: each browser sniffs the
/// page's `<meta charset>` itself, as it must for a saved page; `charset` declares the corpus's
/// encoding in the header instead, as the pages' own servers did.
enum LoopbackPageServer {
    static func with<T: Sendable>(folder: URL, charset: String? = nil,
                                  _ body: (_ baseURL: String) async throws -> T) async throws -> T {
        let root = folder.standardizedFileURL.path
        let router = Router()
        router.get("**") { request, _ -> Response in
            let path = request.uri.path.removingPercentEncoding ?? request.uri.path
            let file = URL(fileURLWithPath: root + path).standardizedFileURL.path
            // Nothing outside the folder, whatever `..` the path holds.
            guard file.hasPrefix(root + "/"), let data = FileManager.default.contents(atPath: file) else {
                return Response(status: .notFound)
            }
            let html = file.hasSuffix(".html") || file.hasSuffix(".htm")
            let type = html ? "text/html" + (charset.map { "; charset=\($0)" } ?? "") : "application/octet-stream"
            return Response(status: .ok, headers: [.contentType: type], body: .init(bytes: data))
        }
        return try await LoopbackHTTPServer.with(router: router, label: "loopback-pages") { port in try await body("http://127.0.0.1:\(port)") }
    }
}
