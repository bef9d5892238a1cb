import Dispatch
import Foundation
import Kernels

/// Splits independent pieces of work over the cores. BLAS runs single-threaded inside the
/// workers (each GEMM there is small and the workers already use every core), so OpenBLAS's
/// own threads never spin against ours.
enum WorkSplit {
    static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Longest-processing-time-first assignment of tasks (by cost) to at most `workers` parts,
    /// deterministic so that results are bit-identical run to run. Empty parts are dropped.
    static func balanced(costs: [Int], workers: Int) -> [[Int]] {
        let n = min(workers, costs.count)
        guard n > 1 else { return costs.isEmpty ? [] : [Array(costs.indices)] }
        var parts = [[Int]](repeating: [], count: n)
        var load = [Int](repeating: 0, count: n)
        for i in costs.indices.sorted(by: { costs[$0] != costs[$1] ? costs[$0] > costs[$1] : $0 < $1 }) {
            let w = load.indices.min { load[$0] < load[$1] }!
            parts[w].append(i)
            load[w] += costs[i]
        }
        return parts.map { $0.sorted() }
    }

    /// Runs `body(part)` for every part, concurrently when there is more than one.
    static func run(_ parts: Int, _ body: @Sendable (Int) -> Void) {
        if parts <= 1 {
            if parts == 1 { body(0) }
            return
        }
        let threads = BLASInfo.threads
        if threads > 1 { BLASInfo.setThreads(1) }
        DispatchQueue.concurrentPerform(iterations: parts, execute: body)
        if threads > 1 { BLASInfo.setThreads(threads) }
    }

    /// Runs `body` over `count` elements in contiguous ranges, one per worker, when the pass is
    /// large enough to be worth waking a second core.
    static func ranges(_ count: Int, workers: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let parts = count < 1 << 15 ? 1 : max(1, workers)
        run(parts) { i in body((count * i / parts)..<(count * (i + 1) / parts)) }
    }
}
