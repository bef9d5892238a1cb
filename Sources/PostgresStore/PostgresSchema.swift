import Foundation

/// The shared crawl store's schema, versioned like the SQLite store's (`CrawlStore.migrator`): each
/// migration runs once, recorded in `nnetnav_migrations`, under an advisory lock so that workers
/// starting together do not race. Version 1 is the SQLite store's schema after its v5 (same tables
/// and columns, so rows copy either way) plus the work queue.
enum PostgresSchema {
    static let migrations: [(version: String, statements: [String])] = [
        ("v1", [
            """
            CREATE TABLE run (
                id BIGINT PRIMARY KEY CHECK (id = 1), created_at TEXT NOT NULL, model TEXT NOT NULL,
                sites TEXT NOT NULL, episodes BIGINT NOT NULL, config_json TEXT NOT NULL)
            """,
            """
            CREATE TABLE episodes (
                idx BIGINT PRIMARY KEY, site TEXT NOT NULL, persona TEXT NOT NULL, start_url TEXT NOT NULL,
                status TEXT NOT NULL, stop_reason TEXT, stop_detail TEXT, error TEXT, shard TEXT NOT NULL,
                instance BIGINT NOT NULL, actions BIGINT NOT NULL DEFAULT 0, started_at TEXT NOT NULL,
                finished_at TEXT, task_reward DOUBLE PRECISION, account TEXT)
            """,
            """
            CREATE TABLE steps (
                episode BIGINT NOT NULL REFERENCES episodes(idx) ON DELETE CASCADE, idx BIGINT NOT NULL,
                url TEXT NOT NULL, observation TEXT NOT NULL, raw_output TEXT, action TEXT, action_description TEXT,
                state_change TEXT, state_change_raw TEXT, constrained BIGINT NOT NULL DEFAULT 0, error TEXT,
                locator_json TEXT, PRIMARY KEY (episode, idx))
            """,
            """
            CREATE TABLE model_calls (
                id BIGSERIAL PRIMARY KEY, episode BIGINT NOT NULL REFERENCES episodes(idx) ON DELETE CASCADE,
                step BIGINT NOT NULL, module TEXT NOT NULL, request_hash TEXT NOT NULL, response TEXT NOT NULL,
                prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, latency DOUBLE PRECISION NOT NULL,
                cached BIGINT NOT NULL)
            """,
            "CREATE INDEX model_calls_episode ON model_calls(episode)",
            """
            CREATE TABLE checkpoints (
                episode BIGINT NOT NULL REFERENCES episodes(idx) ON DELETE CASCADE, depth BIGINT NOT NULL,
                instruction TEXT, raw_label TEXT NOT NULL, score DOUBLE PRECISION, raw_judge TEXT,
                decision TEXT NOT NULL, detail TEXT NOT NULL, demonstration_note TEXT, consistency DOUBLE PRECISION,
                PRIMARY KEY (episode, depth))
            """,
            """
            CREATE TABLE demonstrations (
                id BIGSERIAL PRIMARY KEY, episode BIGINT NOT NULL REFERENCES episodes(idx) ON DELETE CASCADE,
                depth BIGINT NOT NULL, instruction TEXT NOT NULL, normalized_instruction TEXT NOT NULL UNIQUE,
                judge_score DOUBLE PRECISION, rationales_json TEXT NOT NULL, template_rationales BIGINT NOT NULL,
                stop_action TEXT NOT NULL, stop_raw TEXT NOT NULL, stop_parsed BIGINT NOT NULL, UNIQUE (episode, depth))
            """,
            """
            CREATE TABLE replays (
                episode BIGINT NOT NULL, depth BIGINT NOT NULL, site TEXT NOT NULL, steps_resolved BIGINT NOT NULL,
                steps BIGINT NOT NULL, same_url BIGINT NOT NULL, same_state BIGINT NOT NULL, detail TEXT NOT NULL,
                replayed_at TEXT NOT NULL, PRIMARY KEY (episode, depth))
            """,
            // The work queue: one row per planned episode. `lease_token` fences every write of the
            // worker holding it; `commits` counts committed finishes (exactly one per episode).
            """
            CREATE TABLE episode_queue (
                idx BIGINT PRIMARY KEY, status TEXT NOT NULL DEFAULT 'pending', lease_token TEXT,
                lease_expires TIMESTAMPTZ, worker TEXT, attempts BIGINT NOT NULL DEFAULT 0,
                commits BIGINT NOT NULL DEFAULT 0, error TEXT)
            """,
            "CREATE INDEX episode_queue_claimable ON episode_queue(status, idx)",
        ]),
        // The response cache shared by workers (`--cache postgres://…`), as the SQLite `ResponseCache`.
        ("v2-responses", [
            """
            CREATE TABLE responses (
                key TEXT PRIMARY KEY, model TEXT NOT NULL, request TEXT NOT NULL, response TEXT NOT NULL,
                prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL DEFAULT now())
            """,
            "CREATE INDEX responses_model ON responses(model)",
        ]),
        // As the SQLite store's v6: each step's page as a JPEG, for crawls in Chromium.
        ("v3-step-screenshot", ["ALTER TABLE steps ADD COLUMN screenshot BYTEA"]),
    ]

    /// Applies the migrations this database has not seen yet.
    static func migrate(_ session: PostgresSession) async throws {
        try await session.transaction { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(7245101)")
            try await connection.run("""
                CREATE TABLE IF NOT EXISTS nnetnav_migrations (
                    version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """)
            let applied = Set(try await connection.run("SELECT version FROM nnetnav_migrations")
                .map { try $0.decode(0, as: String.self) })
            for migration in migrations where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await connection.run(PostgresQuery(unsafeSQL: statement))
                }
                try await connection.run("INSERT INTO nnetnav_migrations (version) VALUES (\(migration.version))")
            }
        }
    }
}
