import NNetnavSupport
import GRDB

/// Server-rendered pages of the forum (a Postmill-like link aggregator).
struct ForumPages {
    static let siteName = "Postmill"
    static let perPage = 25

    let viewer: String?

    private func e(_ s: String) -> String { HTML.escape(s) }

    func document(_ title: String, _ main: String) -> String {
        let account: String
        if let viewer {
            account = """
                <a href="/user/\(FormData.escape(viewer))">\(e(viewer))</a>
                <form method="post" action="/logout"><button type="submit">Log out</button></form>
                """
        } else {
            account = "<a href=\"/login\">Log in</a>"
        }
        let header = """
            <nav aria-label="Site"><a href="/">\(Self.siteName)</a> <a href="/forums">Forums</a>
            <a href="/submit">Submit</a>
            <form role="search" method="get" action="/search"><label for="site-search">Search posts</label>
            <input id="site-search" type="search" name="q"><button type="submit">Search</button></form>
            \(account)</nav>
            """
        return PageMarkup.document(title: title, siteName: Self.siteName, header: header, main: main)
    }

    /// One post in a listing.
    func postSummary(_ row: Row) -> String {
        let forum: String = row["forum"], author: String = row["author"], id: Int64 = row["id"]
        let score: Int = row["score"], comments: Int = row["comments"]
        let body: String = row["body"]
        let preview = body.count > 140 ? String(body.prefix(140)) + "\u{2026}" : body
        return """
            <article><h2><a href="/f/\(e(forum))/\(id)">\(e(row["title"]))</a></h2>
            \(preview.isEmpty ? "" : "<p>\(e(preview))</p>")
            <p>\(score) points &middot; submitted by <a href="/user/\(FormData.escape(author))">\(e(author))</a>
            to <a href="/f/\(e(forum))">f/\(e(forum))</a> on <time>\(e(row["created_at"]))</time>
            &middot; <a href="/f/\(e(forum))/\(id)">\(comments) comments</a></p></article>
            """
    }

    func sortLinks(path: String, current: String) -> String {
        let items = [("new", "New"), ("top", "Top"), ("comments", "Most commented")].map { key, label in
            key == current ? "<strong>\(label)</strong>" : "<a href=\"\(path)?sort=\(key)\">\(label)</a>"
        }
        return "<nav aria-label=\"Sort posts\">Sort by: \(items.joined(separator: " "))</nav>"
    }

    func comment(_ row: Row, children: [Int64: [Row]]) -> String {
        let id: Int64 = row["id"], author: String = row["author"]
        let replies = (children[id] ?? []).map { comment($0, children: children) }.joined()
        return """
            <li><article id="comment-\(id)" aria-label="Comment by \(e(author))"><p><a href="/user/\(FormData.escape(author))">\(e(author))</a>
            on <time>\(e(row["created_at"]))</time></p><p>\(e(row["body"]))</p></article>
            \(replies.isEmpty ? "" : "<ul>\(replies)</ul>")</li>
            """
    }

    func loginForm(next: String?, error: String?) -> String {
        document("Log in", """
            <h1>Log in</h1>
            \(error.map { "<p role=\"alert\">\(e($0))</p>" } ?? "")
            <form method="post" action="/login">
            <input type="hidden" name="next" value="\(e(next ?? "/"))">
            <p><label for="username">Username</label> <input id="username" name="username" autocomplete="username"></p>
            <p><label for="password">Password</label> <input id="password" name="password" type="password"></p>
            <p><button type="submit">Log in</button></p></form>
            """)
    }

    func notFound(_ what: String) -> String {
        document("Not found", "<h1>Not found</h1><p>\(e(what))</p><p><a href=\"/\">Back to the front page</a></p>")
    }
}
