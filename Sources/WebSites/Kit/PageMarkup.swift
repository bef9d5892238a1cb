import Foundation
import NNetnavSupport
import HTTPServer

/// The page shell and request helpers shared by the forum, code and wiki sites, on top of the
/// kit's `HTML`, `FormData` and `Markup`.
enum PageMarkup {
    /// A full HTML document: `header` holds the site navigation, `main` the page content.
    static func document(title: String, siteName: String, header: HTML, main: HTML) -> HTML {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(title) - \(siteName)</title>
        <meta name="viewport" content="width=device-width, initial-scale=1"></head>
        <body><header>\(header)</header>
        <main>\(main)</main>
        <footer><p>\(siteName) &middot; a bundled nnetnav test site</p></footer></body></html>
        """
    }

    static func html(_ body: HTML, status: HTTPStatus = .ok) -> Response {
        .html(body, status: status)
    }

    /// The `page` query parameter, at least 1; a 400 when out of range.
    static func page(_ request: Request) throws -> Int {
        try request.query.pageNumber()
    }

    /// Where to come back after signing in: the page itself for a GET, and for a POST (an action
    /// such as `/f/books/5/vote`) the page the action's form was on (`/f/books/5`).
    static func returnPath(_ request: Request) -> String {
        let path = request.uri.path
        guard request.method != .get, let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return path }
        return String(path[..<slash])
    }

    /// "Previous page / Next page" links for `total` items shown `perPage` at a time.
    static func pager(path: String, params: [(String, String)], page: Int, perPage: Int, total: Int) -> HTML {
        Markup.pager(path: path, query: params, page: page, pageCount: max(1, (total + perPage - 1) / perPage))
    }
}
