import Foundation
import NNetnavSupport
import Pipeline

/// One episode leased from the shared queue. Its rows are kept in memory and committed together
/// by `finish`, fenced on the lease token; a heartbeat renews the lease while the episode runs and
/// notices when it was lost (this worker stalled and another took the episode over).
final class PostgresEpisodeClaim: EpisodeClaim, @unchecked Sendable {
    let backend: PostgresCrawlBackend
    let plan: EpisodePlan
    let token: String

    private struct Buffer {
        var start: (url: String, account: String?, shard: String, instance: Int, at: String)?
        var steps: [Int: [CrawlValue]] = [:]
        var checkpoints: [Int: Checkpoint] = [:]
        var calls: [[CrawlValue]] = []
        var lost = false
    }
    private let buffer = LockedValue(Buffer())
    private var heartbeat: Task<Void, Never>?

    init(backend: PostgresCrawlBackend, plan: EpisodePlan, token: String) {
        self.backend = backend
        self.plan = plan
        self.token = token
        guard backend.renewsLeases else { return }
        heartbeat = Task { [weak self, session = backend.session, index = Int64(plan.index), lease = backend.leaseSeconds] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(lease / 3 * 1e9))
                if Task.isCancelled { return }
                let renewed = try? await session.query("""
                    UPDATE episode_queue SET lease_expires = now() + make_interval(secs => \(lease))
                    WHERE idx = \(index) AND lease_token = \(token) AND status = 'running' RETURNING idx
                    """)
                // A failed query (server restarting) is retried next beat; no row means the lease is gone.
                if let renewed, renewed.isEmpty {
                    self?.buffer.withLock { $0.lost = true }
                    return
                }
            }
        }
    }

    deinit { heartbeat?.cancel() }

    private func append(_ body: (inout Buffer) throws -> Void) throws {
        try buffer.withLock { b in
            guard !b.lost else { throw PostgresStoreError.leaseLost(episode: plan.index) }
            try body(&b)
        }
    }

    func start(startURL: String, account: String?, shard: String, instance: Int) async throws {
        try append { $0 = Buffer(start: (startURL, account, shard, instance, CrawlRows.now())) }
    }

    func record(step: ExploredStep) async throws {
        let row = try CrawlRows.step(step, episode: plan.index)
        try append { $0.steps[step.index] = row }
    }

    func record(checkpoint: Checkpoint) async throws { try append { $0.checkpoints[checkpoint.depth] = checkpoint } }

    func record(call: ModelCallRecord) async throws {
        try append { $0.calls.append(CrawlRows.modelCall(call, episode: plan.index)) }
    }

    func finish(outcome: EpisodeOutcome, demonstrations: [Demonstration],
                skipped: [DemonstrationBuilder.Skipped]) async throws -> Int {
        heartbeat?.cancel()
        let buffered = buffer.withLock { $0 }
        guard !buffered.lost, let start = buffered.start else { throw PostgresStoreError.leaseLost(episode: plan.index) }
        let index = plan.index, token = token
        let episodeRow = CrawlRows.episode(plan, startURL: start.url, account: start.account, shard: start.shard,
                                           instance: start.instance, startedAt: start.at, outcome: outcome)
        let demoRows = try demonstrations.map { (depth: $0.labeledDepth, row: try CrawlRows.demonstration($0, episode: index)) }
        let skippedNotes = Dictionary(skipped.map { ($0.depth, $0.reason) }, uniquingKeysWith: { _, b in b })
        return try await backend.session.transaction { connection in
            let holder = try await connection.run(
                "SELECT lease_token, status FROM episode_queue WHERE idx = \(Int64(index)) FOR UPDATE")
            guard let current = holder.first, try current.decode(0, as: String?.self) == token,
                  try current.decode(1, as: String.self) == "running" else {
                throw PostgresStoreError.leaseLost(episode: index)
            }
            try await connection.run("DELETE FROM episodes WHERE idx = \(Int64(index))")
            try await connection.run(CrawlTable.episodes.insertQuery(episodeRow))
            for step in buffered.steps.keys.sorted() {
                try await connection.run(CrawlTable.steps.insertQuery(buffered.steps[step]!))
            }
            for call in buffered.calls { try await connection.run(CrawlTable.modelCalls.insertQuery(call)) }
            // Another worker may have committed the same instruction first: that demonstration is
            // dropped here and its checkpoint says why, as a merge of shards does.
            var notes = skippedNotes
            var kept = 0
            for demo in demoRows {
                let inserted = try await connection.run(CrawlTable.demonstrations.insertQuery(
                    demo.row, suffix: " ON CONFLICT (normalized_instruction) DO NOTHING RETURNING id"))
                if inserted.isEmpty {
                    notes[demo.depth] = CrawlStoreMerge.duplicateNote
                } else {
                    notes[demo.depth] = "kept"
                    kept += 1
                }
            }
            for depth in buffered.checkpoints.keys.sorted() {
                let row = CrawlRows.checkpoint(buffered.checkpoints[depth]!, episode: index, note: notes[depth])
                try await connection.run(CrawlTable.checkpoints.insertQuery(row))
            }
            try await connection.run("""
                UPDATE episode_queue SET status = 'completed', commits = commits + 1, lease_token = NULL,
                    lease_expires = NULL, error = NULL
                WHERE idx = \(Int64(index))
                """)
            return kept
        }
    }

    func fail(error: String) async {
        heartbeat?.cancel()
        _ = try? await backend.session.query("""
            UPDATE episode_queue SET status = 'failed', error = \(error), lease_token = NULL, lease_expires = NULL
            WHERE idx = \(Int64(plan.index)) AND lease_token = \(token)
            """)
    }

    func abandon() async {
        heartbeat?.cancel()
        _ = try? await backend.session.query("""
            UPDATE episode_queue SET status = 'pending', lease_token = NULL, lease_expires = NULL
            WHERE idx = \(Int64(plan.index)) AND lease_token = \(token)
            """)
    }
}
