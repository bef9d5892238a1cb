import Foundation
import HTTPServer
import TestSupport

/// Test double: a small server-rendered site on a free loopback port, with the behaviours the
/// browser must cope with (cookies, redirects, errors, slow and compressed responses, forms).
/// It records every request so tests can check what was (and was not) sent.
actor LoopbackSite {
    struct Received: Sendable {
        var method: String
        var path: String
        var query: String
        var contentType: String?
        var cookie: String?
        var body: String
    }

    private(set) var received: [Received] = []
    private(set) var port = 0
    var baseURL: String { "http://127.0.0.1:\(port)" }

    private func record(_ r: Received) { received.append(r) }
    private func setPort(_ p: Int) { port = p }

    static let gzippedPage = "H4sIAAAAAAACA7PJKMnNsbPJSE1MsbMpySzJSbWLyiwoSE2x0YfwbPQhckn5KZV2NgV2zvm5BUWpxcWpKQoFiempCiBxG/0CoDqICn2wgQCLvlHXVwAAAA=="

    static let home = """
    <!doctype html><html><head><title>Loopback Shop</title></head><body>
    <nav><a href="/account">My Account</a> <a href="products?page=2#top">Next page</a>
    <a href="/redirect">Old account link</a> <a href="/redirect-out">Partner site</a>
    <a href="http://blocked.example/">Blocked site</a> <a href="/missing">Broken link</a>
    <a href="/error">Crashing page</a> <a href="/slow">Slow page</a> <a href="/gzip">Zipped page</a>
    <a href="/account" target="_blank">Account in new tab</a></nav>
    <form action="/search"><input name="q" aria-label="Search" placeholder="Search products">
      <select name="sort"><option value="rel">Relevance</option><option value="price">Price</option></select>
      <button>Search</button></form>
    <form action="/login" method="post"><label>Email <input name="email" type="email"></label>
      <label>Password <input name="password" type="password"></label>
      <input type="checkbox" name="remember" id="rm"><label for="rm">Remember me</label>
      <input type="hidden" name="csrf" value="tok123">
      <button name="action" value="login">Sign in</button></form>
    <form action="/upload" method="post" enctype="multipart/form-data">
      <label>Title <input name="title"></label><textarea name="body" aria-label="Body">Line one</textarea>
      <input type="radio" name="kind" value="a" id="ka" checked><label for="ka">Kind A</label>
      <input type="radio" name="kind" value="b" id="kb"><label for="kb">Kind B</label>
      <input type="submit" value="Upload"></form>
    </body></html>
    """

    static func page(_ title: String, _ body: String) -> String {
        "<!doctype html><html><head><title>\(title)</title></head><body>\(body)</body></html>"
    }

    static func html(_ text: String, status: Int = 200, headers: [(String, String)] = []) -> Response {
        var response = Response(status: .init(code: status), body: ResponseBody(string: text))
        response.headers[.contentType] = "text/html; charset=utf-8"
        for (name, value) in headers { response.headers[.init(name)!] = value }
        return response
    }

    /// Runs `body` with the site on a free loopback port, then shuts it down.
    static func with<T: Sendable>(_ body: (LoopbackSite) async throws -> T) async throws -> T {
        let site = LoopbackSite()
        let router = Router()
        router.add(middleware: { request, context, next in
            await site.record(Received(method: request.method.rawValue, path: request.uri.path,
                                       query: request.uri.query ?? "", contentType: request.headers[.contentType],
                                       cookie: request.headers[.cookie], body: request.bodyText))
            return try await next(request, context)
        })
        router.get("/") { _, _ in html(home) }
        router.get("products") { request, _ in
            html(page("Products page \(request.uri.queryParameters["page"] ?? "1")", "<h1 id=top>Products</h1>"))
        }
        router.get("search") { request, _ in
            let q = request.uri.queryParameters["q"] ?? ""
            let sort = request.uri.queryParameters["sort"] ?? ""
            return html(page("Search", "<h1>Results for \(q)</h1><p>sorted by \(sort)</p>"))
        }
        router.post("login") { _, _ in
            html("", status: 303, headers: [("Location", "/account"), ("Set-Cookie", "session=abc123; Path=/; HttpOnly")])
        }
        router.get("account") { request, _ in
            let cookie = request.headers[.cookie] ?? ""
            return cookie.contains("session=abc123")
                ? html(page("Account", "<h1>Welcome back</h1>"))
                : html(page("Sign in", "<h1>Please sign in</h1>"))
        }
        router.post("upload") { _, _ in html(page("Uploaded", "<h1>Upload received</h1>")) }
        router.get("redirect") { _, _ in html("", status: 302, headers: [("Location", "/account")]) }
        router.get("redirect-loop") { _, _ in html("", status: 302, headers: [("Location", "/redirect-loop")]) }
        router.get("redirect-out") { _, _ in
            html("", status: 302, headers: [("Location", "http://blocked.example/landing")])
        }
        router.get("missing") { _, _ in html(page("Not here", "<h1>404: no such page</h1>"), status: 404) }
        router.get("error") { _, _ in html(page("Oops", "<h1>Internal error</h1>"), status: 500) }
        router.get("slow") { _, _ in
            try await Task.sleep(for: .seconds(3))
            return html(page("Slow", "<p>finally</p>"))
        }
        router.get("gzip") { _, _ in
            var response = Response(status: .ok, body: ResponseBody(bytes: Data(base64Encoded: gzippedPage)!))
            response.headers[.contentType] = "text/html"
            response.headers[.contentEncoding] = "gzip"
            return response
        }
        router.get("big") { _, _ in html(page("Big", String(repeating: "<p>filler text</p>", count: 20_000))) }
        router.get("plain") { _, _ in
            var response = Response(status: .ok, body: ResponseBody(string: "just <text>"))
            response.headers[.contentType] = "text/plain"
            return response
        }
        router.get("broken") { _, _ in html("<html><title>Broken</head><body><div><p>one<p>two</span></b><a href=/x>link<table><tr><td>cell</body>") }

        return try await LoopbackHTTPServer.with(router: router, label: "loopback-site") { port in
            await site.setPort(port)
            return try await body(site)
        }
    }
}
