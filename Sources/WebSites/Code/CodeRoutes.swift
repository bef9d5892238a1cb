import NNetnavSupport
import GRDB
import HTTPServer

/// The code host's HTTP routes: a GitLab-like site with projects, a file browser, issues, merge
/// requests, members and stars. Project pages live under `/:namespace/:project`, project
/// sub-pages under `/:namespace/:project/-/...` as on GitLab.
struct CodeRoutes: Sendable {
    static let siteName = "GitLab"
    static let perPage = 20
    let database: DatabaseQueue
    let sessions: SessionStore

    struct Viewer: Sendable { let id: Int64; let username: String }
    struct Project: Sendable { let id: Int64; let namespace: String; let name: String; let description: String; let language: String
                               var path: String { "/\(namespace)/\(name)" } }

    func viewer(_ request: Request) throws -> Viewer? {
        guard let id = sessions.value("user", for: request).flatMap({ Int64($0) }) else { return nil }
        return try database.read { db in
            try String.fetchOne(db, sql: "SELECT username FROM users WHERE id = ?", arguments: [id]).map { Viewer(id: id, username: $0) }
        }
    }

    func document(_ viewer: Viewer?, _ title: String, _ main: HTML, project: Project? = nil) -> HTML {
        let account = viewer.map { v -> HTML in
            """
            <a href="/dashboard/issues">Your issues</a> <a href="/users/\(v.username)">\(v.username)</a>
            <form method="post" action="/logout"><button type="submit">Sign out</button></form>
            """
        } ?? "<a href=\"/login\">Sign in</a>"
        var header: HTML = """
            <nav aria-label="Site"><a href="/">Projects</a>
            <form role="search" method="get" action="/search"><label for="site-search">Search projects and issues</label>
            <input id="site-search" type="search" name="q"><button type="submit">Search</button></form> \(account)</nav>
            """
        if let project {
            let p = project.path
            header += """
                <nav aria-label="Project"><a href="\(p)">\(project.namespace) / \(project.name)</a>
                <a href="\(p)/-/tree/main">Repository</a> <a href="\(p)/-/issues">Issues</a>
                <a href="\(p)/-/merge_requests">Merge requests</a> <a href="\(p)/-/project_members">Members</a></nav>
                """
        }
        return PageMarkup.document(title: title, siteName: Self.siteName, header: header, main: main)
    }

    func notFound(_ viewer: Viewer?, _ message: String) -> Response {
        PageMarkup.html(document(viewer, "Not found", "<h1>Not found</h1><p>\(message)</p>"), status: .notFound)
    }

    func loginRedirect(_ request: Request) -> Response {
        Response.seeOther("/login?next=\(FormData.escape(PageMarkup.returnPath(request)))")
    }

    func project(_ context: some RequestContext) throws -> Project? {
        let ns = try context.parameters.require("ns"), name = try context.parameters.require("project")
        return try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM projects WHERE namespace = ? AND name = ?", arguments: [ns, name]).map {
                Project(id: $0["id"], namespace: $0["namespace"], name: $0["name"], description: $0["description"],
                        language: $0["language"])
            }
        }
    }

    /// Runs `body` for an existing project, or answers 404.
    func withProject<Context: RequestContext>(
        _ request: Request, _ context: Context, requireLogin: Bool = false,
        _ body: (Project, Viewer?) async throws -> Response
    ) async throws -> Response {
        let viewer = try viewer(request)
        if requireLogin, viewer == nil { return loginRedirect(request) }
        guard let project = try project(context) else { return notFound(viewer, "No such project.") }
        return try await body(project, viewer)
    }

    func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/") { request, _ in try self.explore(request) }
        router.get("/search") { request, _ in try self.search(request) }
        router.get("/login") { request, _ in
            PageMarkup.html(self.loginPage(next: request.query["next"], error: nil))
        }
        router.post("/login") { request, _ in try await self.login(request) }
        router.post("/logout") { request, _ in
            self.sessions.destroy(for: request)
            return Response.seeOther("/")
        }
        router.get("/users/:name") { request, context in try self.profile(request, try context.parameters.require("name")) }
        router.get("/dashboard/issues") { request, _ in try self.dashboard(request) }

        router.get("/:ns/:project") { r, c in try await self.withProject(r, c) { p, v in try self.overview(p, v) } }
        router.post("/:ns/:project/star") { r, c in
            try await self.withProject(r, c, requireLogin: true) { p, v in try self.toggleStar(p, v!) }
        }
        router.get("/:ns/:project/-/tree/main") { r, c in
            try await self.withProject(r, c) { p, v in try self.tree(p, v, directory: "") }
        }
        router.get("/:ns/:project/-/tree/main/**") { r, c in
            let path = c.parameters.getCatchAll().joined(separator: "/")
            return try await self.withProject(r, c) { p, v in try self.tree(p, v, directory: path) }
        }
        router.get("/:ns/:project/-/blob/main/**") { r, c in
            let path = c.parameters.getCatchAll().joined(separator: "/")
            return try await self.withProject(r, c) { p, v in try self.blob(p, v, path: path) }
        }
        addIssueRoutes(to: router)
        addMergeRequestRoutes(to: router)
        addMemberRoutes(to: router)
    }

    // MARK: - Sign in

    func loginPage(next: String?, error: String?) -> HTML {
        document(nil, "Sign in", """
            <h1>Sign in</h1>\(error.map { error -> HTML in "<p role=\"alert\">\(error)</p>" } ?? HTML.empty)
            <form method="post" action="/login"><input type="hidden" name="next" value="\(next ?? "/")">
            <p><label for="username">Username</label> <input id="username" name="username" autocomplete="username"></p>
            <p><label for="password">Password</label> <input id="password" name="password" type="password"></p>
            <p><button type="submit">Sign in</button></p></form>
            """)
    }

    private func login(_ request: Request) async throws -> Response {
        let form = try request.form()
        let next = form["next"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/"
        let id = try await database.read { db in
            try Int64.fetchOne(db, sql: "SELECT id FROM users WHERE username = ? AND password = ?",
                               arguments: [form["username"] ?? "", form["password"] ?? ""])
        }
        guard let id else {
            return PageMarkup.html(loginPage(next: next, error: "Invalid username or password."), status: .unauthorized)
        }
        return Response.seeOther(next).with(cookie: sessions.set("user", String(id), for: request))
    }

    // MARK: - Projects

    static let projectColumns = """
        SELECT p.*, (SELECT COUNT(*) FROM stars s WHERE s.project_id = p.id) AS stars,
               (SELECT COUNT(*) FROM issues i WHERE i.project_id = p.id AND i.state = 'opened') AS open_issues
        FROM projects p
        """

    func projectTable(_ rows: [Row], caption: String) -> HTML {
        let body = rows.map { row -> HTML in
            let ns: String = row["namespace"], name: String = row["name"]
            return """
                <tr><td><a href="/\(ns)/\(name)">\(ns) / \(name)</a></td><td>\(row["description"] as String)</td>
                <td>\(row["language"] as String)</td><td>\(row["stars"] as Int)</td><td>\(row["open_issues"] as Int)</td></tr>
                """
        }
        return """
            <table><caption>\(caption)</caption><thead><tr><th scope="col">Project</th><th scope="col">Description</th>
            <th scope="col">Language</th><th scope="col">Stars</th><th scope="col">Open issues</th></tr></thead><tbody>\(body)</tbody></table>
            """
    }

    private func explore(_ request: Request) throws -> Response {
        let viewer = try viewer(request)
        let sort = request.query["sort"] ?? "name"
        let language = request.query["language"]
        let order = switch sort {
        case "stars": "stars DESC, p.name"
        case "created": "p.created_at DESC"
        default: "p.namespace || '/' || p.name"
        }
        let rows = try database.read { db in
            try Row.fetchAll(db, sql: "\(Self.projectColumns) \(language == nil ? "" : "WHERE p.language = ?") ORDER BY \(order)",
                             arguments: StatementArguments(language.map { [$0] } ?? []))
        }
        let sorts = [("name", "Name"), ("stars", "Most stars"), ("created", "Last created")].map { key, label -> HTML in
            key == sort ? "<strong>\(label)</strong>" : "<a href=\"/?sort=\(key)\">\(label)</a>"
        }.joined(separator: " ")
        let languages = ["Python", "JavaScript", "Swift"].map { language -> HTML in "<a href=\"/?language=\(language)\">\(language)</a>" }
            .joined(separator: " ")
        return PageMarkup.html(document(viewer, "Projects", """
            <h1>Explore projects</h1><nav aria-label="Sort projects">Sort by: \(sorts)</nav>
            <nav aria-label="Filter by language">Language: \(languages) <a href="/">All</a></nav>
            \(projectTable(rows, caption: language.map { "\($0) projects" } ?? "All projects"))
            """))
    }

    private func overview(_ project: Project, _ viewer: Viewer?) throws -> Response {
        let (stats, readme, starred, top) = try database.read { db in
            let stats = try Row.fetchOne(db, sql: """
                SELECT (SELECT COUNT(*) FROM stars WHERE project_id = ?1) AS stars,
                       (SELECT COUNT(*) FROM issues WHERE project_id = ?1 AND state = 'opened') AS issues,
                       (SELECT COUNT(*) FROM merge_requests WHERE project_id = ?1 AND state = 'opened') AS mrs,
                       (SELECT COUNT(*) FROM members WHERE project_id = ?1) AS members
                """, arguments: [project.id])!
            let readme = try String.fetchOne(db, sql: "SELECT content FROM files WHERE project_id = ? AND path = 'README.md'",
                                             arguments: [project.id])
            let starred = try viewer.map {
                try Bool.fetchOne(db, sql: "SELECT 1 FROM stars WHERE project_id = ? AND user_id = ?", arguments: [project.id, $0.id]) ?? false
            } ?? false
            let paths = try String.fetchAll(db, sql: "SELECT path FROM files WHERE project_id = ? ORDER BY path", arguments: [project.id])
            return (stats, readme, starred, Self.children(of: "", in: paths))
        }
        let p = project.path
        let main: HTML = """
            <h1>\(project.namespace) / \(project.name)</h1><p>\(project.description)</p>
            <ul aria-label="Project statistics"><li>Language: \(project.language)</li>
            <li>\(stats["stars"] as Int) stars</li><li><a href="\(p)/-/issues">\(stats["issues"] as Int) open issues</a></li>
            <li><a href="\(p)/-/merge_requests">\(stats["mrs"] as Int) open merge requests</a></li>
            <li><a href="\(p)/-/project_members">\(stats["members"] as Int) members</a></li></ul>
            <form method="post" action="\(p)/star"><button type="submit">\(starred ? "Unstar" : "Star")</button></form>
            \(fileTable(project, top))
            <section aria-labelledby="readme"><h2 id="readme">README.md</h2>\(Self.renderMarkdown(readme ?? ""))</section>
            """
        return PageMarkup.html(document(viewer, "\(project.namespace) / \(project.name)", main, project: project))
    }

    /// The immediate children of `directory` among `paths`: (name, isDirectory).
    static func children(of directory: String, in paths: [String]) -> [(name: String, isDirectory: Bool)] {
        let prefix = directory.isEmpty ? "" : directory + "/"
        var seen = Set<String>()
        var out: [(String, Bool)] = []
        for path in paths where path.hasPrefix(prefix) {
            let rest = path.dropFirst(prefix.count)
            let parts = rest.split(separator: "/", maxSplits: 1)
            let name = String(parts[0])
            if seen.insert(name).inserted { out.append((name, parts.count > 1)) }
        }
        return out.sorted { ($0.1 ? 0 : 1, $0.0) < ($1.1 ? 0 : 1, $1.0) }
    }

    func fileTable(_ project: Project, _ entries: [(name: String, isDirectory: Bool)], directory: String = "") -> HTML {
        let prefix = directory.isEmpty ? "" : directory + "/"
        let rows = entries.map { entry -> HTML in
            let kind = entry.isDirectory ? "tree" : "blob"
            return "<tr><td><a href=\"\(project.path)/-/\(kind)/main/\(prefix + entry.name)\">\(entry.name)</a></td>"
                + "<td>\(entry.isDirectory ? "Folder" : "File")</td></tr>"
        }
        return """
            <table><caption>Files in \(directory.isEmpty ? "the repository root" : directory)</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Type</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }

    /// Headings, bullet lists and paragraphs: enough Markdown for generated READMEs.
    static func renderMarkdown(_ text: String) -> HTML {
        var html: HTML = "", list: [HTML] = []
        func flush() { if !list.isEmpty { html += "<ul>\(list.map { item -> HTML in "<li>\(item)</li>" })</ul>"; list = [] } }
        for line in text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) {
            if line.hasPrefix("## ") { flush(); html += "<h3>\(line.dropFirst(3))</h3>" }
            else if line.hasPrefix("# ") { flush(); html += "<h2>\(line.dropFirst(2))</h2>" }
            else if line.hasPrefix("- ") { list.append("\(line.dropFirst(2))") }
            else { flush(); html += "<p>\(line)</p>" }
        }
        flush()
        return html
    }

    private func tree(_ project: Project, _ viewer: Viewer?, directory: String) throws -> Response {
        let paths = try database.read { db in
            try String.fetchAll(db, sql: "SELECT path FROM files WHERE project_id = ? ORDER BY path", arguments: [project.id])
        }
        let entries = Self.children(of: directory, in: paths)
        guard !entries.isEmpty else { return notFound(viewer, "No folder \(directory) in this repository.") }
        let title = directory.isEmpty ? "Repository" : directory
        return PageMarkup.html(document(viewer, "\(title) · \(project.name)", """
            <h1>\(project.name) / \(directory)</h1>\(fileTable(project, entries, directory: directory))
            """, project: project))
    }

    private func blob(_ project: Project, _ viewer: Viewer?, path: String) throws -> Response {
        let content = try database.read { db in
            try String.fetchOne(db, sql: "SELECT content FROM files WHERE project_id = ? AND path = ?", arguments: [project.id, path])
        }
        guard let content else { return notFound(viewer, "No file \(path) in this repository.") }
        let lines = content.split(separator: "\n", omittingEmptySubsequences: false).count
        return PageMarkup.html(document(viewer, "\(path) · \(project.name)", """
            <h1>\(path)</h1><p>\(lines) lines</p><pre><code>\(content)</code></pre>
            """, project: project))
    }

    private func toggleStar(_ project: Project, _ viewer: Viewer) throws -> Response {
        try database.write { db in
            let starred = try Bool.fetchOne(db, sql: "SELECT 1 FROM stars WHERE project_id = ? AND user_id = ?",
                                            arguments: [project.id, viewer.id]) ?? false
            try db.execute(sql: starred ? "DELETE FROM stars WHERE project_id = ? AND user_id = ?" : "INSERT INTO stars VALUES (?, ?)",
                           arguments: [project.id, viewer.id])
        }
        return Response.seeOther(project.path)
    }

    // MARK: - People and search

    private func profile(_ request: Request, _ name: String) throws -> Response {
        let viewer = try viewer(request)
        let found: (Row, [Row], [Row])? = try database.read { db in
            guard let user = try Row.fetchOne(db, sql: "SELECT * FROM users WHERE username = ?", arguments: [name]) else { return nil }
            let uid: Int64 = user["id"]
            let projects = try Row.fetchAll(db, sql: """
                \(Self.projectColumns) JOIN members m ON m.project_id = p.id WHERE m.user_id = ? ORDER BY p.namespace || '/' || p.name
                """, arguments: [uid])
            let starred = try Row.fetchAll(db, sql: """
                \(Self.projectColumns) JOIN stars st ON st.project_id = p.id WHERE st.user_id = ? ORDER BY p.namespace || '/' || p.name
                """, arguments: [uid])
            return (user, projects, starred)
        }
        guard let (user, projects, starred) = found else { return notFound(viewer, "No user named \(name).") }
        let fullName: String = user["name"], username: String = user["username"]
        return PageMarkup.html(document(viewer, fullName, """
            <h1>\(fullName)</h1><p>@\(username)</p>
            \(projectTable(projects, caption: "Member of \(projects.count) projects"))
            \(projectTable(starred, caption: "Starred \(starred.count) projects"))
            """))
    }

    private func search(_ request: Request) throws -> Response {
        let viewer = try viewer(request)
        let q = request.query["q"] ?? ""
        let (projects, issues): ([Row], [Row]) = try database.read { db in
            guard !q.isEmpty else { return ([], []) }
            let like = "%\(q)%"
            return (try Row.fetchAll(db, sql: "\(Self.projectColumns) WHERE p.name LIKE ?1 OR p.description LIKE ?1 ORDER BY p.name",
                                     arguments: [like]),
                    try Row.fetchAll(db, sql: """
                        SELECT i.number, i.title, i.state, p.namespace, p.name FROM issues i JOIN projects p ON p.id = i.project_id
                        WHERE i.title LIKE ?1 ORDER BY p.name, i.number LIMIT 100
                        """, arguments: [like]))
        }
        let issueRows = issues.map { row -> HTML in
            let path = "/\(row["namespace"] as String)/\(row["name"] as String)"
            return "<tr><td><a href=\"\(path)/-/issues/\(row["number"] as Int)\">\(row["title"] as String)</a></td>"
                + "<td>\(row["name"] as String)</td><td>\(Self.stateLabel(row["state"]))</td></tr>"
        }
        return PageMarkup.html(document(viewer, q.isEmpty ? "Search" : "Search: \(q)", """
            <h1>Search</h1><form method="get" action="/search"><label for="search-q">Search for</label>
            <input id="search-q" type="search" name="q" value="\(q)"><button type="submit">Search</button></form>
            \(q.isEmpty ? HTML.empty : """
            <p>\(projects.count) projects and \(issues.count) issues match \u{201C}\(q)\u{201D}</p>
            \(projectTable(projects, caption: "Projects"))
            <table><caption>Issues</caption><thead><tr><th scope="col">Issue</th><th scope="col">Project</th>
            <th scope="col">Status</th></tr></thead><tbody>\(issueRows)</tbody></table>
            """)
            """))
    }

    static func stateLabel(_ state: String) -> String {
        switch state {
        case "opened": "Open"
        case "merged": "Merged"
        default: "Closed"
        }
    }
}
