import GRDB

/// The forum's SQLite schema and its deterministic seed content.
public enum ForumDatabase {
    /// Every seeded account has this password (the site is a local test fixture, not a service).
    public static let password = "nnetnav"
    /// The account tasks log in with.
    public static let taskUser = "river_otter"

    public static func createSchema(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, password TEXT NOT NULL,
                                bio TEXT NOT NULL, joined_at TEXT NOT NULL);
            CREATE TABLE forums (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, title TEXT NOT NULL,
                                 description TEXT NOT NULL, created_at TEXT NOT NULL);
            CREATE TABLE subscriptions (user_id INTEGER NOT NULL REFERENCES users(id),
                                        forum_id INTEGER NOT NULL REFERENCES forums(id), PRIMARY KEY (user_id, forum_id));
            CREATE TABLE posts (id INTEGER PRIMARY KEY, forum_id INTEGER NOT NULL REFERENCES forums(id),
                                user_id INTEGER NOT NULL REFERENCES users(id), title TEXT NOT NULL, body TEXT NOT NULL,
                                created_at TEXT NOT NULL);
            CREATE INDEX posts_forum ON posts(forum_id);
            CREATE INDEX posts_user ON posts(user_id);
            CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL REFERENCES posts(id),
                                   user_id INTEGER NOT NULL REFERENCES users(id), parent_id INTEGER REFERENCES comments(id),
                                   body TEXT NOT NULL, created_at TEXT NOT NULL);
            CREATE INDEX comments_post ON comments(post_id);
            CREATE TABLE votes (user_id INTEGER NOT NULL REFERENCES users(id), post_id INTEGER NOT NULL REFERENCES posts(id),
                                value INTEGER NOT NULL CHECK (value IN (-1, 1)), PRIMARY KEY (user_id, post_id));
            CREATE INDEX votes_post ON votes(post_id);
            """)
    }

    public static func seed(_ db: Database, seed: UInt64) throws {

        // Users: the task account first, then generated handles.
        var rng = SeededGenerator(seed: seed, stream: "users")
        var usernames = [taskUser]
        while usernames.count < 90 {
            let name = "\(rng.pick(ForumVocabulary.firstParts))_\(rng.pick(ForumVocabulary.secondParts))"
                + (rng.chance(0.5) ? "\(rng.int(2...99))" : "")
            if !usernames.contains(name) { usernames.append(name) }
        }
        for (i, name) in usernames.enumerated() {
            try db.execute(sql: "INSERT INTO users (id, username, password, bio, joined_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [i + 1, name, password, rng.pick(ForumVocabulary.bios),
                                       SeedClock.at(minutes: i * 997)])
        }
        let userCount = usernames.count

        for (i, topic) in ForumVocabulary.topics.enumerated() {
            try db.execute(sql: "INSERT INTO forums (id, name, title, description, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [i + 1, topic.name, topic.title, topic.description, SeedClock.at(minutes: i * 60)])
        }

        rng = SeededGenerator(seed: seed, stream: "subscriptions")
        for user in 1...userCount {
            // The task account starts with a known, small set so subscribe tasks have something to add.
            let forums = user == 1 ? [1, 3, 4] : rng.sample(Array(1...ForumVocabulary.topics.count), count: rng.int(2...6))
            for forum in forums {
                try db.execute(sql: "INSERT INTO subscriptions (user_id, forum_id) VALUES (?, ?)", arguments: [user, forum])
            }
        }

        // Posts, then their comments and votes, in one pass per forum so ids are stable per forum order.
        rng = SeededGenerator(seed: seed, stream: "posts")
        var postID = 0
        var commentID = 0
        for (f, topic) in ForumVocabulary.topics.enumerated() {
            var usedTitles = Set<String>()
            let count = rng.int(22...30)
            for _ in 0..<count {
                var title = ""
                var subject = ""
                for _ in 0..<20 {
                    subject = rng.pick(topic.subjects)
                    title = rng.pick(topic.titles).replacingOccurrences(of: "{x}", with: subject)
                    if !usedTitles.contains(title) { break }
                }
                if usedTitles.contains(title) { continue }
                usedTitles.insert(title)
                postID += 1
                let minute = rng.int(10...(300 * 24 * 60))
                let sentences = rng.sample(topic.sentences, count: rng.int(2...3)).map { $0.replacingOccurrences(of: "{x}", with: subject) }
                let body = ([rng.pick(ForumVocabulary.openers)] + sentences + [rng.pick(ForumVocabulary.closers)])
                    .joined(separator: " ")
                // Avoid the task account as a seed author so "my posts" starts empty.
                let author = rng.int(2...userCount)
                try db.execute(sql: "INSERT INTO posts (id, forum_id, user_id, title, body, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [postID, f + 1, author, title, body, SeedClock.at(minutes: minute)])

                var postComments: [Int] = []
                for c in 0..<rng.int(0...7) {
                    commentID += 1
                    let parent: Int? = (!postComments.isEmpty && rng.chance(0.35)) ? rng.pick(postComments) : nil
                    let text = rng.pick(ForumVocabulary.replies).replacingOccurrences(of: "{x}", with: subject)
                    try db.execute(sql: """
                        INSERT INTO comments (id, post_id, user_id, parent_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?)
                        """, arguments: [commentID, postID, rng.int(2...userCount), parent, text,
                                         SeedClock.at(minutes: minute + 30 + c * rng.int(5...200))])
                    postComments.append(commentID)
                }

                let voters = rng.sample(Array(2...userCount), count: rng.int(0...30))
                for voter in voters {
                    try db.execute(sql: "INSERT INTO votes (user_id, post_id, value) VALUES (?, ?, ?)",
                                   arguments: [voter, postID, rng.chance(0.8) ? 1 : -1])
                }
            }
        }
    }
}
