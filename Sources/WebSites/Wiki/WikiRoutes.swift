import Foundation
import NNetnavSupport
import GRDB
import HTTPServer

/// The wiki's HTTP routes: a Kiwix-like read-only encyclopedia with articles, categories and search.
struct WikiRoutes: Sendable {
    static let siteName = "Kiwix Encyclopedia"
    let database: DatabaseQueue

    static func articlePath(_ title: String) -> String {
        "/wiki/" + FormData.escape(title.replacingOccurrences(of: " ", with: "_"))
    }

    static func categoryPath(_ name: String) -> String {
        "/category/" + FormData.escape(name.replacingOccurrences(of: " ", with: "_"))
    }

    /// `text` with `[[Title]]` / `[[Title|label]]` turned into article links.
    static func linked(_ text: String) -> HTML {
        var out: HTML = ""
        var rest = Substring(text)
        while let open = rest.range(of: "[["), let close = rest[open.upperBound...].range(of: "]]") {
            out += "\(rest[..<open.lowerBound])"
            let inner = rest[open.upperBound..<close.lowerBound].split(separator: "|", maxSplits: 1).map(String.init)
            let target = inner[0], label = inner.count > 1 ? inner[1] : inner[0]
            out += "<a href=\"\(articlePath(target))\">\(label)</a>"
            rest = rest[close.upperBound...]
        }
        return out + "\(rest)"
    }

    /// Turns a path segment back into a title: percent-decoded, underscores as spaces.
    static func title(fromSegment segment: String) -> String {
        (segment.removingPercentEncoding ?? segment).replacingOccurrences(of: "_", with: " ")
    }

    func document(_ title: String, _ main: HTML) -> HTML {
        let header: HTML = """
            <nav aria-label="Site"><a href="/">Main page</a> <a href="/articles">All articles</a>
            <a href="/categories">Categories</a>
            <form role="search" method="get" action="/search"><label for="site-search">Search the encyclopedia</label>
            <input id="site-search" type="search" name="pattern"><button type="submit">Search</button></form></nav>
            """
        return PageMarkup.document(title: title, siteName: Self.siteName, header: header, main: main)
    }

    func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/") { _, _ in try await self.mainPage() }
        router.get("/wiki/:title") { _, context in
            try await self.article(Self.title(fromSegment: try context.parameters.require("title")))
        }
        router.get("/articles") { _, _ in try await self.index() }
        router.get("/categories") { _, _ in try await self.categories() }
        router.get("/category/:name") { _, context in
            try await self.category(Self.title(fromSegment: try context.parameters.require("name")))
        }
        router.get("/search") { request, _ in try await self.search(request.query["pattern"] ?? "") }
    }

    private func mainPage() async throws -> Response {
        let (counts, featured) = try database.read { db in
            (try Row.fetchAll(db, sql: "SELECT kind, COUNT(*) AS n FROM articles GROUP BY kind ORDER BY kind"),
             try Row.fetchOne(db, sql: "SELECT title, summary FROM articles WHERE kind = 'country' ORDER BY id LIMIT 1"))
        }
        let plural = ["city": "Cities", "country": "Countries", "mountain": "Mountains", "person": "Scientists", "river": "Rivers"]
        let items = counts.map { row -> HTML in
            let kind: String = row["kind"]
            let name = plural[kind] ?? kind
            return "<li><a href=\"\(Self.categoryPath(name))\">\(name)</a> (\(row["n"] as Int) articles)</li>"
        }
        let featuredHTML = featured.map { row -> HTML in
            let title: String = row["title"]
            return "<section aria-labelledby=\"featured\"><h2 id=\"featured\">Featured article: \(title)</h2>"
                + "<p>\(Self.linked(row["summary"]))</p></section>"
        } ?? HTML.empty
        return PageMarkup.html(document("Main page", """
            <h1>Welcome to the \(Self.siteName)</h1>
            <p>An offline encyclopedia of the countries, cities, rivers, mountains and scientists of the known world.</p>
            \(featuredHTML)
            <section aria-labelledby="browse"><h2 id="browse">Browse by topic</h2><ul>\(items)</ul></section>
            """))
    }

    private func article(_ title: String) async throws -> Response {
        let found: (Row, [Row], [Row], [String])? = try database.read { db in
            guard let article = try Row.fetchOne(db, sql: "SELECT * FROM articles WHERE title = ?", arguments: [title]) else { return nil }
            let id: Int64 = article["id"]
            return (article,
                    try Row.fetchAll(db, sql: "SELECT label, value FROM infobox WHERE article_id = ? ORDER BY position", arguments: [id]),
                    try Row.fetchAll(db, sql: "SELECT heading, body FROM sections WHERE article_id = ? ORDER BY position", arguments: [id]),
                    try String.fetchAll(db, sql: "SELECT name FROM categories WHERE article_id = ? ORDER BY name", arguments: [id]))
        }
        guard let (article, infobox, sections, categories) = found else {
            return PageMarkup.html(document("Not found", """
                <h1>Article not found</h1><p>There is no article titled \u{201C}\(title)\u{201D}.</p>
                <p><a href="/search?pattern=\(FormData.escape(title))">Search for \(title)</a></p>
                """), status: .notFound)
        }
        let name: String = article["title"]
        let box = infobox.map { row -> HTML in
            "<tr><th scope=\"row\">\(row["label"] as String)</th><td>\(row["value"] as String)</td></tr>"
        }
        let contents = sections.enumerated().map { i, s -> HTML in
            "<li><a href=\"#section-\(i + 1)\">\(s["heading"] as String)</a></li>"
        }
        let body = sections.enumerated().map { i, s -> HTML in
            "<section aria-labelledby=\"section-\(i + 1)\"><h2 id=\"section-\(i + 1)\">\(s["heading"] as String)</h2><p>\(Self.linked(s["body"]))</p></section>"
        }
        let cats = categories.map { name -> HTML in "<li><a href=\"\(Self.categoryPath(name))\">\(name)</a></li>" }
        return PageMarkup.html(document(name, """
            <article><h1>\(name)</h1>
            <table><caption>\(name)</caption><tbody>\(box)</tbody></table>
            <p>\(Self.linked(article["summary"]))</p>
            <nav aria-label="Contents"><h2>Contents</h2><ol>\(contents)</ol></nav>
            \(body)
            <footer><h2>Categories</h2><ul>\(cats)</ul></footer></article>
            """))
    }

    private func index() async throws -> Response {
        let rows = try database.read { db in
            try Row.fetchAll(db, sql: "SELECT title, kind FROM articles ORDER BY title COLLATE NOCASE")
        }
        let body = rows.map { row -> HTML in
            let title: String = row["title"]
            return "<tr><td><a href=\"\(Self.articlePath(title))\">\(title)</a></td><td>\(row["kind"] as String)</td></tr>"
        }
        return PageMarkup.html(document("All articles", """
            <h1>All articles</h1><p>\(rows.count) articles.</p><table><caption>Articles from A to Z</caption>
            <thead><tr><th scope="col">Title</th><th scope="col">Type</th></tr></thead><tbody>\(body)</tbody></table>
            """))
    }

    private func categories() async throws -> Response {
        let rows = try database.read { db in
            try Row.fetchAll(db, sql: "SELECT name, COUNT(*) AS n FROM categories GROUP BY name ORDER BY name")
        }
        let items = rows.map { row -> HTML in
            let name: String = row["name"]
            return "<li><a href=\"\(Self.categoryPath(name))\">\(name)</a> (\(row["n"] as Int))</li>"
        }
        return PageMarkup.html(document("Categories", "<h1>Categories</h1><ul>\(items)</ul>"))
    }

    private func category(_ name: String) async throws -> Response {
        let titles = try await database.read { db in
            try String.fetchAll(db, sql: """
                SELECT a.title FROM categories c JOIN articles a ON a.id = c.article_id WHERE c.name = ? COLLATE NOCASE
                ORDER BY a.title COLLATE NOCASE
                """, arguments: [name])
        }
        guard !titles.isEmpty else {
            return PageMarkup.html(document("Not found", "<h1>Category not found</h1><p>No category named \(name).</p>"),
                                   status: .notFound)
        }
        let items = titles.map { title -> HTML in "<li><a href=\"\(Self.articlePath(title))\">\(title)</a></li>" }
        return PageMarkup.html(document("Category: \(name)", """
            <h1>Category: \(name)</h1><p>\(titles.count) articles in this category.</p><ul>\(items)</ul>
            """))
    }

    /// Like Kiwix, an exact title match goes straight to the article; otherwise a result list.
    private func search(_ pattern: String) async throws -> Response {
        let (exact, rows): (String?, [Row]) = try database.read { db in
            guard !pattern.isEmpty else { return (nil, []) }
            if let title = try String.fetchOne(db, sql: "SELECT title FROM articles WHERE title = ?", arguments: [pattern]) {
                return (title, [])
            }
            let like = "%\(pattern)%"
            return (nil, try Row.fetchAll(db, sql: """
                SELECT a.title, a.summary FROM articles a WHERE a.title LIKE ?1 OR a.summary LIKE ?1
                   OR EXISTS (SELECT 1 FROM sections s WHERE s.article_id = a.id AND s.body LIKE ?1)
                ORDER BY (a.title LIKE ?1) DESC, a.title COLLATE NOCASE LIMIT 50
                """, arguments: [like]))
        }
        if let exact { return Response.seeOther(Self.articlePath(exact)) }
        let items = rows.map { row -> HTML in
            let title: String = row["title"]
            return "<li><article><h2><a href=\"\(Self.articlePath(title))\">\(title)</a></h2><p>\(Self.linked(row["summary"]))</p></article></li>"
        }
        return PageMarkup.html(document(pattern.isEmpty ? "Search" : "Search: \(pattern)", """
            <h1>Search results</h1>
            <form method="get" action="/search"><label for="search-pattern">Search for</label>
            <input id="search-pattern" type="search" name="pattern" value="\(pattern)"><button type="submit">Search</button></form>
            \(pattern.isEmpty ? HTML.empty : "<p>\(rows.count) results for \u{201C}\(pattern)\u{201D}</p>")<ol>\(items)</ol>
            """))
    }
}
