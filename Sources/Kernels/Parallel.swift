import CKernels
import Foundation

/// The one place where numeric kernels split work across cores. OpenBLAS runs single-threaded
/// (see `Matmul`), so no BLAS worker spins in `sched_yield` while our own threads want the same
/// two cores. Splits run on a persistent pool (`nn_pool_run`) whose workers poll for about 20 µs
/// after a part (with `pause`, never `sched_yield`) and then park on a futex: decoding makes some
/// 150 splits per token, and waking a sleeping `concurrentPerform` worker for each cost more than
/// the work. When another thread holds the pool, a split falls back to `concurrentPerform`.
public enum Parallel {
    /// Threads a split uses (2 on this project's machine kind). Set once at start-up
    /// (`BLASInfo.setThreads`), read by every kernel.
    nonisolated(unsafe) public static var threads = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 2))

    /// Whether the calling thread already runs one part of a split (nested splits run inline).
    public static var isNested: Bool { nn_parallel_depth() > 0 }

    /// Runs `body(part, parts)` for every part, in parallel when `parts > 1` and not nested.
    @inlinable
    public static func forEach(parts: Int, _ body: (Int) -> Void) {
        if parts <= 1 || isNested {
            for p in 0..<parts { body(p) }
            return
        }
        withoutActuallyEscaping(body) { body in
            var job = body
            let ran = withUnsafeMutablePointer(to: &job) { pointer in
                nn_pool_run(Int32(parts), { context, part in
                    context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(Int(part))
                }, pointer)
            }
            if ran == 0 { return }
            let shared = UncheckedSendableBox(body)
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                nn_parallel_enter()
                shared.value(p)
                nn_parallel_leave()
            }
        }
    }

    /// Splits `0..<count` into `threads` contiguous ranges (multiples of `granule` except the last)
    /// and runs `body` on each, in parallel.
    @inlinable
    public static func forRanges(_ count: Int, granule: Int = 1, minimumPerPart: Int = 1, _ body: (Range<Int>) -> Void) {
        let parts = max(1, min(threads, count / max(minimumPerPart, 1)))
        if parts == 1 || isNested { body(0..<count); return }
        let units = (count + granule - 1) / granule
        let perPart = (units + parts - 1) / parts * granule
        forEach(parts: parts) { p in
            let lower = min(count, p * perPart), upper = min(count, lower + perPart)
            if lower < upper { body(lower..<upper) }
        }
    }
}

/// Hands a non-Sendable value to the parts of one split, which all finish before the split returns.
public struct UncheckedSendableBox<Value>: @unchecked Sendable {
    public let value: Value
    @inlinable public init(_ value: Value) { self.value = value }
}
