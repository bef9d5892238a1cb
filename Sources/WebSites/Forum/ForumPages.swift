import NNetnavSupport
import GRDB

/// Server-rendered pages of the forum (a Postmill-like link aggregator). Pages are `HTML`, so every
/// interpolated string is escaped by construction.
struct ForumPages {
    static let siteName = "Postmill"
    static let perPage = 25

    let viewer: String?

    func document(_ title: String, _ main: HTML) -> HTML {
        let account: HTML
        if let viewer {
            account = """
                <a href="/user/\(FormData.escape(viewer))">\(viewer)</a>
                <form method="post" action="/logout"><button type="submit">Log out</button></form>
                """
        } else {
            account = "<a href=\"/login\">Log in</a>"
        }
        let header: HTML = """
            <nav aria-label="Site"><a href="/">\(Self.siteName)</a> <a href="/forums">Forums</a>
            <a href="/submit">Submit</a>
            <form role="search" method="get" action="/search"><label for="site-search">Search posts</label>
            <input id="site-search" type="search" name="q"><button type="submit">Search</button></form>
            \(account)</nav>
            """
        return PageMarkup.document(title: title, siteName: Self.siteName, header: header, main: main)
    }

    /// One post in a listing.
    func postSummary(_ row: Row) -> HTML {
        let forum: String = row["forum"], author: String = row["author"], id: Int64 = row["id"]
        let score: Int = row["score"], comments: Int = row["comments"]
        let body: String = row["body"], title: String = row["title"], created: String = row["created_at"]
        let preview = body.count > 140 ? String(body.prefix(140)) + "\u{2026}" : body
        return """
            <article><h2><a href="/f/\(forum)/\(id)">\(title)</a></h2>
            \(preview.isEmpty ? HTML.empty : "<p>\(preview)</p>")
            <p>\(score) points &middot; submitted by <a href="/user/\(FormData.escape(author))">\(author)</a>
            to <a href="/f/\(forum)">f/\(forum)</a> on <time>\(created)</time>
            &middot; <a href="/f/\(forum)/\(id)">\(comments) comments</a></p></article>
            """
    }

    func sortLinks(path: String, current: String) -> HTML {
        let items = [("new", "New"), ("top", "Top"), ("comments", "Most commented")].map { key, label -> HTML in
            key == current ? "<strong>\(label)</strong>" : "<a href=\"\(path)?sort=\(key)\">\(label)</a>"
        }
        return "<nav aria-label=\"Sort posts\">Sort by: \(items.joined(separator: " "))</nav>"
    }

    func comment(_ row: Row, children: [Int64: [Row]]) -> HTML {
        let id: Int64 = row["id"], author: String = row["author"]
        let created: String = row["created_at"], body: String = row["body"]
        let replies = (children[id] ?? []).map { comment($0, children: children) }
        return """
            <li><article id="comment-\(id)" aria-label="Comment by \(author)"><p><a href="/user/\(FormData.escape(author))">\(author)</a>
            on <time>\(created)</time></p><p>\(body)</p></article>
            \(replies.isEmpty ? HTML.empty : "<ul>\(replies)</ul>")</li>
            """
    }

    func loginForm(next: String?, error: String?) -> HTML {
        document("Log in", """
            <h1>Log in</h1>
            \(error.map { error -> HTML in "<p role=\"alert\">\(error)</p>" } ?? HTML.empty)
            <form method="post" action="/login">
            <input type="hidden" name="next" value="\(next ?? "/")">
            <p><label for="username">Username</label> <input id="username" name="username" autocomplete="username"></p>
            <p><label for="password">Password</label> <input id="password" name="password" type="password"></p>
            <p><button type="submit">Log in</button></p></form>
            """)
    }

    func notFound(_ what: String) -> HTML {
        document("Not found", "<h1>Not found</h1><p>\(what)</p><p><a href=\"/\">Back to the front page</a></p>")
    }
}
