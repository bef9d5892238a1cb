import NNetnavSupport
import GRDB
import HTTPServer

/// Issues, merge requests and members of a project.
extension CodeRoutes {
    func addIssueRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/:ns/:project/-/issues") { r, c in try await self.withProject(r, c) { p, v in try self.issueList(r, p, v) } }
        router.get("/:ns/:project/-/issues/new") { r, c in
            try await self.withProject(r, c, requireLogin: true) { p, v in try self.newIssueForm(p, v, error: nil) }
        }
        router.post("/:ns/:project/-/issues") { r, c in
            try await self.withProject(r, c, requireLogin: true) { p, v in try await self.createIssue(r, p, v!) }
        }
        router.get("/:ns/:project/-/issues/:number") { r, c in
            let number = try c.parameters.require("number", as: Int.self)
            return try await self.withProject(r, c) { p, v in try self.issue(p, v, number: number) }
        }
        for action in ["notes", "close", "reopen", "labels", "assign"] {
            router.post("/:ns/:project/-/issues/:number/\(action)") { r, c in
                let number = try c.parameters.require("number", as: Int.self)
                return try await self.withProject(r, c, requireLogin: true) { p, v in
                    try await self.updateIssue(r, p, v!, number: number, action: action)
                }
            }
        }
    }

    func addMergeRequestRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/:ns/:project/-/merge_requests") { r, c in
            try await self.withProject(r, c) { p, v in try self.mergeRequestList(r, p, v) }
        }
        router.get("/:ns/:project/-/merge_requests/:number") { r, c in
            let number = try c.parameters.require("number", as: Int.self)
            return try await self.withProject(r, c) { p, v in try self.mergeRequest(p, v, number: number) }
        }
        for action in ["merge", "close"] {
            router.post("/:ns/:project/-/merge_requests/:number/\(action)") { r, c in
                let number = try c.parameters.require("number", as: Int.self)
                return try await self.withProject(r, c, requireLogin: true) { p, _ in
                    let state = action == "merge" ? "merged" : "closed"
                    try self.database.write { db in
                        try db.execute(sql: "UPDATE merge_requests SET state = ? WHERE project_id = ? AND number = ? AND state = 'opened'",
                                       arguments: [state, p.id, number])
                    }
                    return Response.seeOther("\(p.path)/-/merge_requests/\(number)")
                }
            }
        }
    }

    func addMemberRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/:ns/:project/-/project_members") { r, c in
            try await self.withProject(r, c) { p, v in try self.members(p, v, error: nil) }
        }
        router.post("/:ns/:project/-/project_members") { r, c in
            try await self.withProject(r, c, requireLogin: true) { p, v in
                let form = try r.form()
                let role = form["role"].flatMap { CodeVocabulary.roles.contains($0) ? $0 : nil } ?? "Developer"
                let added = try await self.database.write { db -> Bool in
                    guard let uid = try Int64.fetchOne(db, sql: "SELECT id FROM users WHERE username = ?",
                                                       arguments: [form["username"] ?? ""]) else { return false }
                    try db.execute(sql: "INSERT OR REPLACE INTO members VALUES (?, ?, ?)", arguments: [p.id, uid, role])
                    return true
                }
                return added ? Response.seeOther("\(p.path)/-/project_members")
                             : try self.members(p, v, error: "There is no user named \(form["username"] ?? "").")
            }
        }
    }

    // MARK: - Issues

    private func issueList(_ request: Request, _ project: Project, _ viewer: Viewer?) throws -> Response {
        let state = request.query["state"] ?? "opened"
        let label = request.query["label"]
        let assignee = request.query["assignee"]
        let search = request.query["search"]
        var conditions = ["i.project_id = ?"]
        var arguments: [any DatabaseValueConvertible] = [project.id]
        if state != "all" { conditions.append("i.state = ?"); arguments.append(state) }
        if let label {
            conditions.append("EXISTS (SELECT 1 FROM issue_labels il JOIN labels l ON l.id = il.label_id WHERE il.issue_id = i.id AND l.name = ?)")
            arguments.append(label)
        }
        if let assignee { conditions.append("a.username = ?"); arguments.append(assignee) }
        if let search { conditions.append("i.title LIKE ?"); arguments.append("%\(search)%") }
        let rows = try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT i.number, i.title, i.state, i.created_at, a.username AS assignee,
                       (SELECT group_concat(l.name, ', ') FROM issue_labels il JOIN labels l ON l.id = il.label_id WHERE il.issue_id = i.id) AS labels
                FROM issues i LEFT JOIN users a ON a.id = i.assignee_id WHERE \(conditions.joined(separator: " AND "))
                ORDER BY i.number DESC
                """, arguments: StatementArguments(arguments))
        }
        let p = project.path
        let tabs = [("opened", "Open"), ("closed", "Closed"), ("all", "All")].map { key, name -> HTML in
            key == state ? "<strong>\(name)</strong>" : "<a href=\"\(p)/-/issues?state=\(key)\">\(name)</a>"
        }.joined(separator: " ")
        let labelLinks = CodeVocabulary.labels.map {
            HTML("<a href=\"\(p)/-/issues?state=\(state)&amp;label=\(FormData.escape($0))\">\($0)</a>")
        }.joined(separator: " ")
        let body = rows.map { row -> HTML in
            let n: Int = row["number"]
            return """
                <tr><td>#\(n)</td><td><a href="\(p)/-/issues/\(n)">\(row["title"] as String)</a></td><td>\(Self.stateLabel(row["state"]))</td>
                <td>\(row["labels"] ?? "" as String)</td><td>\(row["assignee"] ?? "Unassigned" as String)</td><td><time>\(row["created_at"] as String)</time></td></tr>
                """
        }.joined()
        let filters = [label.map { "label \($0)" }, assignee.map { "assignee \($0)" }, search.map { "title containing \($0)" }]
            .compactMap { $0 }
        return PageMarkup.html(document(viewer, "Issues · \(project.name)", """
            <h1>Issues</h1><p><a href="\(p)/-/issues/new">New issue</a></p>
            <nav aria-label="Issue state">\(tabs)</nav><nav aria-label="Filter by label">Labels: \(labelLinks)</nav>
            <form method="get" action="\(p)/-/issues"><input type="hidden" name="state" value="\(state)">
            <label for="issue-search">Search issues</label> <input id="issue-search" type="search" name="search" value="\(search ?? "" as String)">
            <button type="submit">Filter</button></form>
            <table><caption>\(rows.count) issues\(filters.isEmpty ? "" : " with " + filters.joined(separator: ", "))</caption>
            <thead><tr><th scope="col">Number</th><th scope="col">Title</th><th scope="col">Status</th><th scope="col">Labels</th>
            <th scope="col">Assignee</th><th scope="col">Created</th></tr></thead><tbody>\(body)</tbody></table>
            """, project: project))
    }

    private func newIssueForm(_ project: Project, _ viewer: Viewer?, error: String?) throws -> Response {
        let labels = CodeVocabulary.labels.map { HTML("<option value=\"\($0)\">\($0)</option>") }
        return PageMarkup.html(document(viewer, "New issue · \(project.name)", """
            <h1>New issue</h1>\(error.map { HTML("<p role=\"alert\">\($0)</p>") } ?? HTML.empty)
            <form method="post" action="\(project.path)/-/issues">
            <p><label for="issue-title">Title</label> <input id="issue-title" name="title"></p>
            <p><label for="issue-description">Description</label> <textarea id="issue-description" name="description" rows="6"></textarea></p>
            <p><label for="issue-label">Label</label> <select id="issue-label" name="label"><option value="">No label</option>\(labels)</select></p>
            <p><button type="submit">Create issue</button></p></form>
            """, project: project), status: error == nil ? .ok : .badRequest)
    }

    private func createIssue(_ request: Request, _ project: Project, _ viewer: Viewer) async throws -> Response {
        let form = try request.form()
        guard let title = form["title"] else { return try newIssueForm(project, viewer, error: "An issue needs a title.") }
        let number = try await database.write { db -> Int in
            let number = (try Int.fetchOne(db, sql: "SELECT MAX(number) FROM issues WHERE project_id = ?", arguments: [project.id]) ?? 0) + 1
            try db.execute(sql: """
                INSERT INTO issues (project_id, number, title, body, author_id, assignee_id, state, created_at)
                VALUES (?, ?, ?, ?, ?, NULL, 'opened', ?)
                """, arguments: [project.id, number, title, form["description"] ?? "", viewer.id, try Self.now(db)])
            let issue = db.lastInsertedRowID
            if let label = form["label"] {
                try db.execute(sql: "INSERT INTO issue_labels SELECT ?, id FROM labels WHERE project_id = ? AND name = ?",
                               arguments: [issue, project.id, label])
            }
            return number
        }
        return Response.seeOther("\(project.path)/-/issues/\(number)")
    }

    private func issue(_ project: Project, _ viewer: Viewer?, number: Int) throws -> Response {
        let found: (Row, [String], [Row], [String])? = try database.read { db in
            guard let issue = try Row.fetchOne(db, sql: """
                SELECT i.*, au.username AS author, a.username AS assignee FROM issues i JOIN users au ON au.id = i.author_id
                LEFT JOIN users a ON a.id = i.assignee_id WHERE i.project_id = ? AND i.number = ?
                """, arguments: [project.id, number]) else { return nil }
            let id: Int64 = issue["id"]
            return (issue,
                    try String.fetchAll(db, sql: "SELECT l.name FROM issue_labels il JOIN labels l ON l.id = il.label_id WHERE il.issue_id = ? ORDER BY l.name",
                                        arguments: [id]),
                    try Row.fetchAll(db, sql: "SELECT n.body, n.created_at, u.username FROM notes n JOIN users u ON u.id = n.author_id WHERE n.issue_id = ? ORDER BY n.created_at, n.id",
                                     arguments: [id]),
                    try String.fetchAll(db, sql: "SELECT u.username FROM members m JOIN users u ON u.id = m.user_id WHERE m.project_id = ? ORDER BY u.username",
                                        arguments: [project.id]))
        }
        guard let (issue, labels, notes, members) = found else { return notFound(viewer, "No issue #\(number) in this project.") }
        let base = "\(project.path)/-/issues/\(number)"
        let open = (issue["state"] as String) == "opened"
        let notesHTML = notes.map {
            HTML("<li><article aria-label=\"Comment by \($0["username"] as String)\"><p><a href=\"/users/\($0["username"] as String)\">\($0["username"] as String)</a> commented on <time>\($0["created_at"] as String)</time></p><p>\($0["body"] as String)</p></article></li>")
        }
        let labelOptions = CodeVocabulary.labels.filter { !labels.contains($0) }.map { HTML("<option value=\"\($0)\">\($0)</option>") }
        let memberOptions = members.map { HTML("<option value=\"\($0)\">\($0)</option>") }
        return PageMarkup.html(document(viewer, "\(issue["title"] as String) (#\(number))", """
            <article><h1>\(issue["title"] as String)</h1>
            <p>Issue #\(number) · Status: <strong>\(Self.stateLabel(issue["state"]))</strong> · opened on <time>\(issue["created_at"] as String)</time>
            by <a href="/users/\(issue["author"] as String)">\(issue["author"] as String)</a></p>
            <p>\(issue["body"] as String)</p>
            <dl><dt>Assignee</dt><dd>\(issue["assignee"] ?? "None" as String)</dd><dt>Labels</dt><dd>\(labels.isEmpty ? "None" : labels.joined(separator: ", "))</dd></dl>
            </article>
            <section aria-labelledby="actions"><h2 id="actions">Manage issue</h2>
            <form method="post" action="\(base)/\(open ? "close" : "reopen")"><button type="submit">\(open ? "Close issue" : "Reopen issue")</button></form>
            <form method="post" action="\(base)/labels"><label for="add-label">Add label</label>
            <select id="add-label" name="label">\(labelOptions)</select><button type="submit">Add label</button></form>
            <form method="post" action="\(base)/assign"><label for="assignee">Assignee</label>
            <select id="assignee" name="assignee"><option value="">Unassigned</option>\(memberOptions)</select><button type="submit">Assign</button></form>
            </section>
            <section aria-labelledby="activity"><h2 id="activity">\(notes.count) comments</h2><ul>\(notesHTML)</ul>
            <form method="post" action="\(base)/notes"><p><label for="note-body">Comment</label>
            <textarea id="note-body" name="body" rows="4"></textarea></p><p><button type="submit">Comment</button></p></form></section>
            """, project: project))
    }

    private func updateIssue(_ request: Request, _ project: Project, _ viewer: Viewer, number: Int, action: String) async throws -> Response {
        let form = try request.form()
        let found = try await database.write { db -> Bool in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM issues WHERE project_id = ? AND number = ?",
                                              arguments: [project.id, number]) else { return false }
            switch action {
            case "close", "reopen":
                try db.execute(sql: "UPDATE issues SET state = ? WHERE id = ?", arguments: [action == "close" ? "closed" : "opened", id])
            case "notes":
                if let body = form["body"] {
                    try db.execute(sql: "INSERT INTO notes (issue_id, author_id, body, created_at) VALUES (?, ?, ?, ?)",
                                   arguments: [id, viewer.id, body, try Self.now(db)])
                }
            case "labels":
                try db.execute(sql: "INSERT OR IGNORE INTO issue_labels SELECT ?, id FROM labels WHERE project_id = ? AND name = ?",
                               arguments: [id, project.id, form["label"] ?? ""])
            default: // assign
                let user = try form["assignee"].flatMap {
                    try Int64.fetchOne(db, sql: "SELECT id FROM users WHERE username = ?", arguments: [$0])
                }
                try db.execute(sql: "UPDATE issues SET assignee_id = ? WHERE id = ?", arguments: [user, id])
            }
            return true
        }
        return found ? Response.seeOther("\(project.path)/-/issues/\(number)") : notFound(viewer, "No issue #\(number) in this project.")
    }

    /// New content is stamped one minute after the newest seeded item, independent of the wall clock.
    static func now(_ db: Database) throws -> String {
        let latest = try String.fetchOne(db, sql: """
            SELECT MAX(t) FROM (SELECT MAX(created_at) AS t FROM issues UNION ALL SELECT MAX(created_at) FROM notes
                                UNION ALL SELECT MAX(created_at) FROM merge_requests)
            """)
        return SeedClock.after(latest ?? SeedClock.at(minutes: 0))
    }

    private func dashboardRows(_ viewer: Viewer) throws -> [Row] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT i.number, i.title, p.namespace, p.name FROM issues i JOIN projects p ON p.id = i.project_id
                WHERE i.assignee_id = ? AND i.state = 'opened' ORDER BY p.namespace, p.name, i.number
                """, arguments: [viewer.id])
        }
    }

    func dashboard(_ request: Request) throws -> Response {
        guard let viewer = try viewer(request) else { return loginRedirect(request) }
        let rows = try dashboardRows(viewer).map { row -> HTML in
            let path = "/\(row["namespace"] as String)/\(row["name"] as String)"
            return "<tr><td><a href=\"\(path)\">\(row["name"] as String)</a></td><td><a href=\"\(path)/-/issues/\(row["number"] as Int)\">\(row["title"] as String)</a></td></tr>"
        }
        return PageMarkup.html(document(viewer, "Your issues", """
            <h1>Issues assigned to you</h1><table><caption>\(rows.count) open issues assigned to \(viewer.username)</caption>
            <thead><tr><th scope="col">Project</th><th scope="col">Issue</th></tr></thead><tbody>\(rows)</tbody></table>
            """))
    }

    // MARK: - Merge requests and members

    private func mergeRequestList(_ request: Request, _ project: Project, _ viewer: Viewer?) throws -> Response {
        let state = request.query["state"] ?? "opened"
        let rows = try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT m.number, m.title, m.state, m.source_branch, u.username AS author FROM merge_requests m
                JOIN users u ON u.id = m.author_id WHERE m.project_id = ? AND (? = 'all' OR m.state = ?) ORDER BY m.number DESC
                """, arguments: [project.id, state, state])
        }
        let p = project.path
        let tabs = [("opened", "Open"), ("merged", "Merged"), ("closed", "Closed"), ("all", "All")].map { key, name -> HTML in
            key == state ? "<strong>\(name)</strong>" : "<a href=\"\(p)/-/merge_requests?state=\(key)\">\(name)</a>"
        }.joined(separator: " ")
        let body = rows.map { row -> HTML in
            let n: Int = row["number"]
            return "<tr><td>!\(n)</td><td><a href=\"\(p)/-/merge_requests/\(n)\">\(row["title"] as String)</a></td><td>\(Self.stateLabel(row["state"]))</td>"
                + "<td>\(row["source_branch"] as String)</td><td>\(row["author"] as String)</td></tr>"
        }.joined()
        return PageMarkup.html(document(viewer, "Merge requests · \(project.name)", """
            <h1>Merge requests</h1><nav aria-label="Merge request state">\(tabs)</nav>
            <table><caption>\(rows.count) merge requests</caption><thead><tr><th scope="col">Number</th><th scope="col">Title</th>
            <th scope="col">Status</th><th scope="col">Source branch</th><th scope="col">Author</th></tr></thead><tbody>\(body)</tbody></table>
            """, project: project))
    }

    private func mergeRequest(_ project: Project, _ viewer: Viewer?, number: Int) throws -> Response {
        let row = try database.read { db in
            try Row.fetchOne(db, sql: """
                SELECT m.*, u.username AS author FROM merge_requests m JOIN users u ON u.id = m.author_id
                WHERE m.project_id = ? AND m.number = ?
                """, arguments: [project.id, number])
        }
        guard let row else { return notFound(viewer, "No merge request !\(number) in this project.") }
        let base = "\(project.path)/-/merge_requests/\(number)"
        let actions: HTML = (row["state"] as String) == "opened" ? """
            <form method="post" action="\(base)/merge"><button type="submit">Merge</button></form>
            <form method="post" action="\(base)/close"><button type="submit">Close merge request</button></form>
            """ : ""
        return PageMarkup.html(document(viewer, "\(row["title"] as String) (!\(number))", """
            <article><h1>\(row["title"] as String)</h1>
            <p>Merge request !\(number) · Status: <strong>\(Self.stateLabel(row["state"]))</strong> · by
            <a href="/users/\(row["author"] as String)">\(row["author"] as String)</a> on <time>\(row["created_at"] as String)</time></p>
            <p>Wants to merge <code>\(row["source_branch"] as String)</code> into <code>\(row["target_branch"] as String)</code>.</p>
            <p>\(row["description"] as String)</p>\(actions)</article>
            """, project: project))
    }

    func members(_ project: Project, _ viewer: Viewer?, error: String?) throws -> Response {
        let rows = try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT u.username, u.name, m.role FROM members m JOIN users u ON u.id = m.user_id WHERE m.project_id = ?
                ORDER BY CASE m.role WHEN 'Owner' THEN 0 WHEN 'Maintainer' THEN 1 WHEN 'Developer' THEN 2 ELSE 3 END, u.username
                """, arguments: [project.id])
        }
        let body = rows.map {
            HTML("<tr><td><a href=\"/users/\($0["username"] as String)\">\($0["name"] as String)</a></td><td>\($0["username"] as String)</td><td>\($0["role"] as String)</td></tr>")
        }
        let roles = CodeVocabulary.roles.dropFirst().map { HTML("<option value=\"\($0)\"\($0 == "Developer" ? " selected" : "")>\($0)</option>") }
        return PageMarkup.html(document(viewer, "Members · \(project.name)", """
            <h1>Project members</h1>\(error.map { HTML("<p role=\"alert\">\($0)</p>") } ?? HTML.empty)
            <table><caption>\(rows.count) members</caption><thead><tr><th scope="col">Name</th><th scope="col">Username</th>
            <th scope="col">Role</th></tr></thead><tbody>\(body)</tbody></table>
            <form method="post" action="\(project.path)/-/project_members"><h2>Invite a member</h2>
            <p><label for="member-username">Username</label> <input id="member-username" name="username"></p>
            <p><label for="member-role">Role</label> <select id="member-role" name="role">\(roles)</select></p>
            <p><button type="submit">Invite</button></p></form>
            """, project: project), status: error == nil ? .ok : .badRequest)
    }
}
