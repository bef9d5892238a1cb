import Foundation

extension Shard {
    /// The shard a batch scheduler assigned, for one process per shard without a per-process command
    /// line: a Kubernetes Indexed Job's `JOB_COMPLETION_INDEX`, or a SLURM array's
    /// `SLURM_ARRAY_TASK_ID` (counted from `SLURM_ARRAY_TASK_MIN`). The shard count is `count`
    /// (`--shards`), else `NNETNAV_SHARDS`, else SLURM's `SLURM_ARRAY_TASK_COUNT`; an index without a
    /// count is an error rather than a silent 0/1. Nil when no scheduler index is set.
    public static func fromEnvironment(_ environment: [String: String], count: Int?) throws -> Shard? {
        let index: Int
        let source: String
        if let text = environment["JOB_COMPLETION_INDEX"] {
            guard let i = Int(text) else { throw CrawlError.badShard("JOB_COMPLETION_INDEX=\(text)") }
            (index, source) = (i, "JOB_COMPLETION_INDEX")
        } else if let text = environment["SLURM_ARRAY_TASK_ID"] {
            guard let i = Int(text) else { throw CrawlError.badShard("SLURM_ARRAY_TASK_ID=\(text)") }
            let first = environment["SLURM_ARRAY_TASK_MIN"].flatMap(Int.init) ?? 0
            (index, source) = (i - first, "SLURM_ARRAY_TASK_ID")
        } else {
            return nil
        }
        let total = count ?? environment["NNETNAV_SHARDS"].flatMap(Int.init)
            ?? environment["SLURM_ARRAY_TASK_COUNT"].flatMap(Int.init)
        guard let total else {
            throw CrawlError.badShard("\(source) is set but the shard count is not: pass --shards N or set NNETNAV_SHARDS")
        }
        guard total > 0, (0..<total).contains(index) else {
            throw CrawlError.badShard("\(source) gives shard \(index) of \(total)")
        }
        return Shard(index: index, count: total)
    }
}
