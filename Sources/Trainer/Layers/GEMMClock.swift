import Foundation

/// Wall time spent inside BLAS GEMM calls, for the benchmark's "GEMM share of step time".
/// Off by default; a read of one flag per GEMM is all it costs then.
public enum GEMMClock {
    nonisolated(unsafe) public static var enabled = false
    nonisolated(unsafe) public static var seconds: Double = 0
    nonisolated(unsafe) public static var flops: Double = 0

    public static func reset() { seconds = 0; flops = 0 }

    /// Adds FLOPs of GEMMs timed elsewhere (the tiled attention runs them inside its workers).
    static func count(flops f: Double) { if enabled { flops += f } }

    @inline(__always)
    static func measure(m: Int, n: Int, k: Int, _ body: () -> Void) {
        guard enabled else { body(); return }
        var t0 = timespec(), t1 = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t0)
        body()
        clock_gettime(CLOCK_MONOTONIC, &t1)
        seconds += Double(t1.tv_sec - t0.tv_sec) + Double(t1.tv_nsec - t0.tv_nsec) * 1e-9
        flops += 2 * Double(m) * Double(n) * Double(k)
    }
}
