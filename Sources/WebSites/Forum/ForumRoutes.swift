import NNetnavSupport
import GRDB
import HTTPServer

/// The forum's HTTP routes over one SQLite database.
struct ForumRoutes: Sendable {
    let database: DatabaseQueue
    let sessions: SessionStore

    private static let postColumns = """
        SELECT p.id, p.title, p.body, p.created_at, f.name AS forum, u.username AS author,
               (SELECT COALESCE(SUM(value), 0) FROM votes v WHERE v.post_id = p.id) AS score,
               (SELECT COUNT(*) FROM comments c WHERE c.post_id = p.id) AS comments
        FROM posts p JOIN forums f ON f.id = p.forum_id JOIN users u ON u.id = p.user_id
        """

    private static func order(_ sort: String) -> String {
        switch sort {
        case "top": "score DESC, p.id DESC"
        case "comments": "comments DESC, p.id DESC"
        default: "p.created_at DESC, p.id DESC"
        }
    }

    private func viewer(_ request: Request) async throws -> (id: Int64, name: String)? {
        guard let id = sessions.value("user", for: request).flatMap({ Int64($0) }) else { return nil }
        let name = try await database.read { db in
            try String.fetchOne(db, sql: "SELECT username FROM users WHERE id = ?", arguments: [id])
        }
        return name.map { (id, $0) }
    }

    private func pages(_ request: Request) async throws -> ForumPages {
        ForumPages(viewer: try await viewer(request)?.name)
    }

    private func loginRedirect(_ request: Request) -> Response {
        Response.seeOther("/login?next=\(FormData.escape(PageMarkup.returnPath(request)))")
    }

    func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/") { request, _ in try await self.listing(request, forum: nil) }
        router.get("/forums") { request, _ in try await self.forumList(request) }
        router.get("/f/:forum") { request, context in
            try await self.listing(request, forum: try context.parameters.require("forum"))
        }
        router.get("/f/:forum/:post") { request, context in
            try await self.post(request, id: try context.parameters.require("post", as: Int64.self))
        }
        router.post("/f/:forum/subscribe") { request, context in
            try await self.subscription(request, forum: try context.parameters.require("forum"), subscribe: true)
        }
        router.post("/f/:forum/unsubscribe") { request, context in
            try await self.subscription(request, forum: try context.parameters.require("forum"), subscribe: false)
        }
        router.post("/f/:forum/:post/vote") { request, context in
            try await self.vote(request, post: try context.parameters.require("post", as: Int64.self))
        }
        router.post("/f/:forum/:post/comment") { request, context in
            try await self.addComment(request, post: try context.parameters.require("post", as: Int64.self))
        }
        router.get("/submit") { request, _ in try await self.submitForm(request, error: nil) }
        router.post("/submit") { request, _ in try await self.submit(request) }
        router.get("/user/:name") { request, context in
            try await self.profile(request, name: try context.parameters.require("name"))
        }
        router.get("/search") { request, _ in try await self.search(request) }
        router.get("/login") { request, _ in
            PageMarkup.html(try await self.pages(request).loginForm(next: request.query["next"], error: nil))
        }
        router.post("/login") { request, _ in try await self.login(request) }
        router.post("/logout") { request, _ in
            self.sessions.destroy(for: request)
            return Response.seeOther("/")
        }
    }

    // MARK: - Reading

    private func listing(_ request: Request, forum name: String?) async throws -> Response {
        let pages = try await pages(request)
        let viewer = try await viewer(request)
        let sort = request.query["sort"] ?? "new"
        let page = try PageMarkup.page(request)
        let result: (forum: Row?, posts: [Row], total: Int, subscribed: Bool, subscribers: Int)? = try database.read { db in
            var forum: Row?
            if let name {
                forum = try Row.fetchOne(db, sql: "SELECT * FROM forums WHERE name = ?", arguments: [name])
                if forum == nil { return nil }
            }
            let forumID: Int64? = forum?["id"]
            let filter = forumID == nil ? "" : "WHERE p.forum_id = \(forumID!)"
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM posts p \(filter)") ?? 0
            let posts = try Row.fetchAll(db, sql: "\(Self.postColumns) \(filter) ORDER BY \(Self.order(sort)) LIMIT ? OFFSET ?",
                                         arguments: [ForumPages.perPage, (page - 1) * ForumPages.perPage])
            var subscribed = false, subscribers = 0
            if let forumID {
                subscribers = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM subscriptions WHERE forum_id = ?",
                                               arguments: [forumID]) ?? 0
                if let viewer {
                    subscribed = try Bool.fetchOne(db, sql: "SELECT 1 FROM subscriptions WHERE forum_id = ? AND user_id = ?",
                                                   arguments: [forumID, viewer.id]) ?? false
                }
            }
            return (forum, posts, total, subscribed, subscribers)
        }
        guard let result else { return PageMarkup.html(pages.notFound("There is no forum named \(name ?? "")."), status: .notFound) }
        let path = name.map { "/f/\($0)" } ?? "/"
        var main: HTML = ""
        if let forum = result.forum {
            let forumName: String = forum["name"], title: String = forum["title"], description: String = forum["description"]
            let action = result.subscribed ? "unsubscribe" : "subscribe"
            main += """
                <h1>\(title)</h1><p>\(description)</p>
                <p>\(result.subscribers) subscribers</p>
                <form method="post" action="/f/\(forumName)/\(action)">
                <button type="submit">\(result.subscribed ? "Unsubscribe" : "Subscribe")</button></form>
                <p><a href="/submit?forum=\(FormData.escape(forumName))">Submit a new post to f/\(forumName)</a></p>
                """
        } else {
            main += "<h1>Front page</h1>"
        }
        main += pages.sortLinks(path: path, current: sort)
        main += "<section aria-label=\"Posts\">\(result.posts.map(pages.postSummary))</section>"
        main += PageMarkup.pager(path: path, params: [("sort", sort)], page: page, perPage: ForumPages.perPage,
                                 total: result.total)
        let title = result.forum.map { "f/" + ($0["name"] as String) } ?? "Front page"
        return PageMarkup.html(pages.document(title, main))
    }

    private func forumList(_ request: Request) async throws -> Response {
        let pages = try await pages(request)
        let viewer = try await viewer(request)
        let rows = try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT f.name, f.title, f.description,
                       (SELECT COUNT(*) FROM subscriptions s WHERE s.forum_id = f.id) AS subscribers,
                       (SELECT COUNT(*) FROM posts p WHERE p.forum_id = f.id) AS posts,
                       EXISTS (SELECT 1 FROM subscriptions s WHERE s.forum_id = f.id AND s.user_id = ?) AS mine
                FROM forums f ORDER BY f.name COLLATE NOCASE
                """, arguments: [viewer?.id ?? -1])
        }
        let body = rows.map { row -> HTML in
            let name: String = row["name"], description: String = row["description"]
            let mine: Bool = row["mine"]
            return """
                <tr><td><a href="/f/\(name)">f/\(name)</a></td>
                <td>\(description)</td><td>\(row["subscribers"] as Int)</td>
                <td>\(row["posts"] as Int)</td><td>\(mine ? "Subscribed" : "")</td></tr>
                """
        }
        return PageMarkup.html(pages.document("Forums", """
            <h1>Forums</h1><table><caption>\(rows.count) forums</caption>
            <thead><tr><th scope="col">Forum</th><th scope="col">Description</th><th scope="col">Subscribers</th>
            <th scope="col">Posts</th><th scope="col">Your subscription</th></tr></thead><tbody>\(body)</tbody></table>
            """))
    }

    private func post(_ request: Request, id: Int64) async throws -> Response {
        let pages = try await pages(request)
        let viewer = try await viewer(request)
        let found: (Row, [Row], Int?)? = try database.read { db in
            guard let post = try Row.fetchOne(db, sql: "\(Self.postColumns) WHERE p.id = ?", arguments: [id]) else { return nil }
            let comments = try Row.fetchAll(db, sql: """
                SELECT c.id, c.parent_id, c.body, c.created_at, u.username AS author
                FROM comments c JOIN users u ON u.id = c.user_id WHERE c.post_id = ? ORDER BY c.created_at, c.id
                """, arguments: [id])
            let myVote = try viewer.flatMap {
                try Int.fetchOne(db, sql: "SELECT value FROM votes WHERE post_id = ? AND user_id = ?", arguments: [id, $0.id])
            }
            return (post, comments, myVote)
        }
        guard let (post, comments, myVote) = found else {
            return PageMarkup.html(pages.notFound("There is no post \(id)."), status: .notFound)
        }
        var children: [Int64: [Row]] = [:]
        var roots: [Row] = []
        for c in comments {
            if let parent: Int64 = c["parent_id"] { children[parent, default: []].append(c) } else { roots.append(c) }
        }
        let forum: String = post["forum"], author: String = post["author"]
        let title: String = post["title"], created: String = post["created_at"], body: String = post["body"]
        let base = "/f/\(forum)/\(id)"
        let voteState = myVote.map { $0 > 0 ? "You upvoted this post." : "You downvoted this post." } ?? ""
        let main: HTML = """
            <article><h1>\(title)</h1>
            <p>Submitted by <a href="/user/\(FormData.escape(author))">\(author)</a> to
            <a href="/f/\(forum)">f/\(forum)</a> on <time>\(created)</time></p>
            <p>\(body)</p>
            <p>Score: \(post["score"] as Int) points. \(voteState)</p>
            <form method="post" action="\(base)/vote"><input type="hidden" name="value" value="1">
            <button type="submit">Upvote</button></form>
            <form method="post" action="\(base)/vote"><input type="hidden" name="value" value="-1">
            <button type="submit">Downvote</button></form></article>
            <section aria-labelledby="comments-heading"><h2 id="comments-heading">\(comments.count) comments</h2>
            <form method="post" action="\(base)/comment"><p><label for="comment-body">Your comment</label>
            <textarea id="comment-body" name="body" rows="4"></textarea></p><p><button type="submit">Post comment</button></p></form>
            <ul>\(roots.map { pages.comment($0, children: children) })</ul></section>
            """
        return PageMarkup.html(pages.document(title, main))
    }

    private func profile(_ request: Request, name: String) async throws -> Response {
        let pages = try await pages(request)
        let found: (Row, [Row], [Row], [String])? = try database.read { db in
            guard let user = try Row.fetchOne(db, sql: "SELECT * FROM users WHERE username = ?", arguments: [name]) else { return nil }
            let uid: Int64 = user["id"]
            let posts = try Row.fetchAll(db, sql: "\(Self.postColumns) WHERE p.user_id = ? ORDER BY p.created_at DESC, p.id DESC",
                                         arguments: [uid])
            let comments = try Row.fetchAll(db, sql: """
                SELECT c.body, c.created_at, p.id AS post_id, p.title, f.name AS forum FROM comments c
                JOIN posts p ON p.id = c.post_id JOIN forums f ON f.id = p.forum_id
                WHERE c.user_id = ? ORDER BY c.created_at DESC, c.id DESC
                """, arguments: [uid])
            let subs = try String.fetchAll(db, sql: """
                SELECT f.name FROM subscriptions s JOIN forums f ON f.id = s.forum_id WHERE s.user_id = ? ORDER BY f.name COLLATE NOCASE
                """, arguments: [uid])
            return (user, posts, comments, subs)
        }
        guard let (user, posts, comments, subs) = found else {
            return PageMarkup.html(pages.notFound("There is no user named \(name)."), status: .notFound)
        }
        let commentItems = comments.map { c -> HTML in
            let forum: String = c["forum"], post: Int64 = c["post_id"]
            let title: String = c["title"], created: String = c["created_at"], body: String = c["body"]
            return "<li><p>On <a href=\"/f/\(forum)/\(post)\">\(title)</a> (<time>\(created)</time>)</p><p>\(body)</p></li>"
        }
        let username: String = user["username"], bio: String = user["bio"], joined: String = user["joined_at"]
        let main: HTML = """
            <h1>\(username)</h1><p>\(bio)</p><p>Joined <time>\(joined)</time></p>
            <section aria-labelledby="subs"><h2 id="subs">Subscriptions (\(subs.count))</h2>
            <ul>\(subs.map { name -> HTML in "<li><a href=\"/f/\(name)\">f/\(name)</a></li>" })</ul></section>
            <section aria-labelledby="posts"><h2 id="posts">Posts (\(posts.count))</h2>\(posts.map(pages.postSummary))</section>
            <section aria-labelledby="comments"><h2 id="comments">Comments (\(comments.count))</h2><ul>\(commentItems)</ul></section>
            """
        return PageMarkup.html(pages.document(username, main))
    }

    private func search(_ request: Request) async throws -> Response {
        let pages = try await pages(request)
        let q = request.query["q"] ?? ""
        let page = try PageMarkup.page(request)
        let (rows, total): ([Row], Int) = try database.read { db in
            guard !q.isEmpty else { return ([], 0) }
            let pattern = "%\(q)%"
            let filter = "WHERE p.title LIKE ? OR p.body LIKE ?"
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM posts p \(filter)", arguments: [pattern, pattern]) ?? 0
            let rows = try Row.fetchAll(db, sql: "\(Self.postColumns) \(filter) ORDER BY p.created_at DESC, p.id DESC LIMIT ? OFFSET ?",
                                        arguments: [pattern, pattern, ForumPages.perPage, (page - 1) * ForumPages.perPage])
            return (rows, total)
        }
        let main: HTML = """
            <h1>Search</h1>
            <form method="get" action="/search"><label for="search-q">Search for</label>
            <input id="search-q" type="search" name="q" value="\(q)"><button type="submit">Search</button></form>
            \(q.isEmpty ? HTML.empty : "<p>\(total) results for \u{201C}\(q)\u{201D}</p>")
            <section aria-label="Results">\(rows.map(pages.postSummary))</section>
            \(PageMarkup.pager(path: "/search", params: [("q", q)], page: page, perPage: ForumPages.perPage, total: total))
            """
        return PageMarkup.html(pages.document(q.isEmpty ? "Search" : "Search: \(q)", main))
    }

    private func submitForm(_ request: Request, error: String?, title: String = "", body: String = "") async throws -> Response {
        guard try await viewer(request) != nil else { return loginRedirect(request) }
        let pages = try await pages(request)
        let chosen = request.query["forum"]
        let forums = try await database.read { db in try String.fetchAll(db, sql: "SELECT name FROM forums ORDER BY name COLLATE NOCASE") }
        let options = forums.map { name -> HTML in
            let selected: HTML = name.lowercased() == chosen?.lowercased() ? " selected" : ""
            return "<option value=\"\(name)\"\(selected)>\(name)</option>"
        }
        let main: HTML = """
            <h1>Submit a new post</h1>
            \(error.map { error -> HTML in "<p role=\"alert\">\(error)</p>" } ?? HTML.empty)
            <form method="post" action="/submit">
            <p><label for="post-forum">Forum</label> <select id="post-forum" name="forum"><option value="">Choose a forum</option>\(options)</select></p>
            <p><label for="post-title">Title</label> <input id="post-title" name="title" value="\(title)"></p>
            <p><label for="post-body">Body</label> <textarea id="post-body" name="body" rows="8">\(body)</textarea></p>
            <p><button type="submit">Create post</button></p></form>
            """
        return PageMarkup.html(pages.document("Submit", main), status: error == nil ? .ok : .badRequest)
    }

    // MARK: - Writing

    private func submit(_ request: Request) async throws -> Response {
        guard let viewer = try await viewer(request) else { return loginRedirect(request) }
        let form = try request.form()
        guard let forum = form["forum"], let title = form["title"] else {
            return try await submitForm(request, error: "A post needs a forum and a title.", title: form["title"] ?? "",
                                        body: form["body"] ?? "")
        }
        let created: (Int64, String)? = try await database.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, name FROM forums WHERE name = ?", arguments: [forum]) else { return nil }
            try db.execute(sql: "INSERT INTO posts (forum_id, user_id, title, body, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [row["id"] as Int64, viewer.id, title, form["body"] ?? "", ForumRoutes.now(db)])
            return (db.lastInsertedRowID, row["name"])
        }
        guard let (id, name) = created else {
            return try await submitForm(request, error: "There is no forum named \(forum).", title: title, body: form["body"] ?? "")
        }
        return Response.seeOther("/f/\(name)/\(id)")
    }

    private func addComment(_ request: Request, post: Int64) async throws -> Response {
        guard let viewer = try await viewer(request) else { return loginRedirect(request) }
        let form = try request.form()
        let forum: String? = try await database.write { db in
            guard let forum = try String.fetchOne(db, sql: "SELECT f.name FROM posts p JOIN forums f ON f.id = p.forum_id WHERE p.id = ?",
                                                  arguments: [post]) else { return nil }
            if let body = form["body"] {
                try db.execute(sql: "INSERT INTO comments (post_id, user_id, body, created_at) VALUES (?, ?, ?, ?)",
                               arguments: [post, viewer.id, body, ForumRoutes.now(db)])
            }
            return forum
        }
        guard let forum else { return PageMarkup.html(ForumPages(viewer: viewer.name).notFound("No such post."), status: .notFound) }
        return Response.seeOther("/f/\(forum)/\(post)")
    }

    /// Voting the same way twice withdraws the vote, as on Postmill.
    private func vote(_ request: Request, post: Int64) async throws -> Response {
        guard let viewer = try await viewer(request) else { return loginRedirect(request) }
        let form = try request.form()
        let value = form["value"] == "-1" ? -1 : 1
        let forum: String? = try await database.write { db in
            guard let forum = try String.fetchOne(db, sql: "SELECT f.name FROM posts p JOIN forums f ON f.id = p.forum_id WHERE p.id = ?",
                                                  arguments: [post]) else { return nil }
            let existing = try Int.fetchOne(db, sql: "SELECT value FROM votes WHERE user_id = ? AND post_id = ?", arguments: [viewer.id, post])
            if existing == value {
                try db.execute(sql: "DELETE FROM votes WHERE user_id = ? AND post_id = ?", arguments: [viewer.id, post])
            } else {
                try db.execute(sql: "INSERT OR REPLACE INTO votes (user_id, post_id, value) VALUES (?, ?, ?)",
                               arguments: [viewer.id, post, value])
            }
            return forum
        }
        guard let forum else { return PageMarkup.html(ForumPages(viewer: viewer.name).notFound("No such post."), status: .notFound) }
        return Response.seeOther("/f/\(forum)/\(post)")
    }

    private func subscription(_ request: Request, forum: String, subscribe: Bool) async throws -> Response {
        guard let viewer = try await viewer(request) else { return loginRedirect(request) }
        let name: String? = try await database.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, name FROM forums WHERE name = ?", arguments: [forum]) else { return nil }
            let fid: Int64 = row["id"]
            try db.execute(sql: subscribe ? "INSERT OR IGNORE INTO subscriptions (user_id, forum_id) VALUES (?, ?)"
                                          : "DELETE FROM subscriptions WHERE user_id = ? AND forum_id = ?",
                           arguments: [viewer.id, fid])
            return row["name"]
        }
        guard let name else { return PageMarkup.html(ForumPages(viewer: viewer.name).notFound("No such forum."), status: .notFound) }
        return Response.seeOther("/f/\(name)")
    }

    private func login(_ request: Request) async throws -> Response {
        let form = try request.form()
        let next = form["next"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/"
        let id: Int64? = try await database.read { db in
            try Int64.fetchOne(db, sql: "SELECT id FROM users WHERE username = ? AND password = ?",
                               arguments: [form["username"] ?? "", form["password"] ?? ""])
        }
        guard let id else {
            return PageMarkup.html(ForumPages(viewer: nil).loginForm(next: next, error: "Wrong username or password."),
                                   status: .unauthorized)
        }
        return Response.seeOther(next).with(cookie: sessions.set("user", String(id), for: request))
    }

    /// New content is stamped one minute after the newest seeded item, so it sorts first under
    /// "New" and the whole site stays independent of the wall clock.
    static func now(_ db: Database) throws -> String {
        let latest = try String.fetchOne(db, sql: "SELECT MAX(created_at) FROM (SELECT created_at FROM posts UNION ALL SELECT created_at FROM comments)")
        return SeedClock.after(latest ?? SeedClock.at(minutes: 0))
    }
}
