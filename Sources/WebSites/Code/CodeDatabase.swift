import GRDB

/// The code host's SQLite schema and deterministic seed content.
public enum CodeDatabase {
    /// Every seeded account has this password (the site is a local test fixture, not a service).
    public static let password = "nnetnav"
    /// The account tasks log in with (Alex Rivera).
    public static let taskUser = "arivera"

    public static func createSchema(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, name TEXT NOT NULL, password TEXT NOT NULL);
            CREATE TABLE projects (id INTEGER PRIMARY KEY, namespace TEXT NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL,
                                   language TEXT NOT NULL, created_at TEXT NOT NULL, UNIQUE (namespace, name));
            CREATE TABLE files (project_id INTEGER NOT NULL REFERENCES projects(id), path TEXT NOT NULL, content TEXT NOT NULL,
                                PRIMARY KEY (project_id, path));
            CREATE TABLE members (project_id INTEGER NOT NULL REFERENCES projects(id), user_id INTEGER NOT NULL REFERENCES users(id),
                                  role TEXT NOT NULL, PRIMARY KEY (project_id, user_id));
            CREATE TABLE stars (project_id INTEGER NOT NULL REFERENCES projects(id), user_id INTEGER NOT NULL REFERENCES users(id),
                                PRIMARY KEY (project_id, user_id));
            CREATE TABLE labels (id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id), name TEXT NOT NULL,
                                 UNIQUE (project_id, name));
            CREATE TABLE issues (id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id), number INTEGER NOT NULL,
                                 title TEXT NOT NULL, body TEXT NOT NULL, author_id INTEGER NOT NULL REFERENCES users(id),
                                 assignee_id INTEGER REFERENCES users(id), state TEXT NOT NULL CHECK (state IN ('opened', 'closed')),
                                 created_at TEXT NOT NULL, UNIQUE (project_id, number));
            CREATE TABLE issue_labels (issue_id INTEGER NOT NULL REFERENCES issues(id), label_id INTEGER NOT NULL REFERENCES labels(id),
                                       PRIMARY KEY (issue_id, label_id));
            CREATE TABLE notes (id INTEGER PRIMARY KEY, issue_id INTEGER NOT NULL REFERENCES issues(id),
                                author_id INTEGER NOT NULL REFERENCES users(id), body TEXT NOT NULL, created_at TEXT NOT NULL);
            CREATE TABLE merge_requests (id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id),
                                         number INTEGER NOT NULL, title TEXT NOT NULL, description TEXT NOT NULL,
                                         author_id INTEGER NOT NULL REFERENCES users(id), source_branch TEXT NOT NULL,
                                         target_branch TEXT NOT NULL,
                                         state TEXT NOT NULL CHECK (state IN ('opened', 'merged', 'closed')),
                                         created_at TEXT NOT NULL, UNIQUE (project_id, number));
            """)
    }

    public static func seed(_ db: Database, seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed, stream: "users")

        // Users: every given/family pairing is unique; the task account is fixed as user 1.
        var people: [(username: String, name: String)] = [(taskUser, "Alex Rivera")]
        var seen: Set<String> = [taskUser]
        while people.count < 45 {
            let given = rng.pick(CodeVocabulary.givenNames), family = rng.pick(CodeVocabulary.familyNames)
            let username = (given.prefix(1) + family).lowercased()
            if seen.insert(username).inserted { people.append((username, "\(given) \(family)")) }
        }
        for (i, p) in people.enumerated() {
            try db.execute(sql: "INSERT INTO users VALUES (?, ?, ?, ?)", arguments: [i + 1, p.username, p.name, password])
        }
        let userIDs = Array(1...people.count)

        rng = SeededGenerator(seed: seed, stream: "projects")
        var issueID = 0, noteID = 0, labelID = 0, mrID = 0
        for (index, idea) in CodeVocabulary.projects.enumerated() {
            let projectID = index + 1
            // The task account owns two projects and is a member of several others.
            let ownerID: Int = index < 2 ? 1 : rng.int(2...people.count)
            let namespace = index < 2 ? taskUser : (rng.chance(0.4) ? rng.pick(CodeVocabulary.groups) : people[ownerID - 1].username)
            let createdMinute = index * 4000 + rng.int(0...3000)
            try db.execute(sql: "INSERT INTO projects VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [projectID, namespace, idea.name, idea.summary, idea.language, SeedClock.at(minutes: createdMinute)])
            for file in CodeFiles.tree(for: idea, owner: people[ownerID - 1].name) {
                try db.execute(sql: "INSERT INTO files VALUES (?, ?, ?)", arguments: [projectID, file.path, file.content])
            }

            var members: [Int] = [ownerID]
            try db.execute(sql: "INSERT INTO members VALUES (?, ?, 'Owner')", arguments: [projectID, ownerID])
            for other in rng.sample(userIDs.filter { $0 != ownerID && $0 != 1 }, count: rng.int(2...6)) {
                members.append(other)
                try db.execute(sql: "INSERT INTO members VALUES (?, ?, ?)",
                               arguments: [projectID, other, rng.pick(Array(CodeVocabulary.roles.dropFirst()))])
            }
            if index >= 2, index % 4 == 0 {
                members.append(1)
                try db.execute(sql: "INSERT INTO members VALUES (?, 1, 'Maintainer')", arguments: [projectID])
            }
            for fan in rng.sample(userIDs.filter { $0 != 1 }, count: rng.int(0...40)) {
                try db.execute(sql: "INSERT INTO stars VALUES (?, ?)", arguments: [projectID, fan])
            }

            var labelIDs: [String: Int] = [:]
            for name in CodeVocabulary.labels {
                labelID += 1
                labelIDs[name] = labelID
                try db.execute(sql: "INSERT INTO labels VALUES (?, ?, ?)", arguments: [labelID, projectID, name])
            }

            func fill(_ template: String) -> String {
                template.replacingOccurrences(of: "{m}", with: rng.pick(idea.modules))
                    .replacingOccurrences(of: "{p}", with: idea.name)
            }
            var titles = Set<String>()
            var number = 0
            for _ in 0..<rng.int(8...22) {
                let label = rng.pick(CodeVocabulary.labels)
                let title = fill(rng.pick(CodeVocabulary.issueTitles[label]!))
                guard titles.insert(title).inserted else { continue }
                number += 1
                issueID += 1
                let minute = createdMinute + number * rng.int(300...3000)
                let assignee: Int? = rng.chance(0.6) ? rng.pick(members) : nil
                try db.execute(sql: "INSERT INTO issues VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               arguments: [issueID, projectID, number, title, fill(rng.pick(CodeVocabulary.issueBodies)),
                                           rng.pick(userIDs.filter { $0 != 1 }), assignee, rng.chance(0.7) ? "opened" : "closed",
                                           SeedClock.at(minutes: minute)])
                try db.execute(sql: "INSERT INTO issue_labels VALUES (?, ?)", arguments: [issueID, labelIDs[label]!])
                if rng.chance(0.25) {
                    let extra = rng.pick(CodeVocabulary.labels)
                    if extra != label {
                        try db.execute(sql: "INSERT INTO issue_labels VALUES (?, ?)", arguments: [issueID, labelIDs[extra]!])
                    }
                }
                for n in 0..<rng.int(0...4) {
                    noteID += 1
                    try db.execute(sql: "INSERT INTO notes VALUES (?, ?, ?, ?, ?)",
                                   arguments: [noteID, issueID, rng.pick(members), fill(rng.pick(CodeVocabulary.notes)),
                                               SeedClock.at(minutes: minute + 60 * (n + 1))])
                }
            }

            var mrTitles = Set<String>()
            var mrNumber = 0
            for _ in 0..<rng.int(2...6) {
                let title = fill(rng.pick(CodeVocabulary.mergeTitles))
                guard mrTitles.insert(title).inserted else { continue }
                mrNumber += 1
                mrID += 1
                let branch = title.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).prefix(5).joined(separator: "-")
                let roll = rng.int(0...9)
                try db.execute(sql: "INSERT INTO merge_requests VALUES (?, ?, ?, ?, ?, ?, ?, 'main', ?, ?)",
                               arguments: [mrID, projectID, mrNumber, title, "This merge request: \(title.lowercased()).",
                                           rng.pick(members), branch, roll < 5 ? "opened" : (roll < 8 ? "merged" : "closed"),
                                           SeedClock.at(minutes: createdMinute + mrNumber * rng.int(500...5000))])
            }
        }
    }
}
