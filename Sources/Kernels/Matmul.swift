import CBLAS

/// Row-major single-precision GEMM wrappers over OpenBLAS, named for the shapes transformer
/// code needs. Weights are stored (out, in) as in llm.c, so a linear layer is `x · Wᵀ`.
///
/// OpenBLAS itself always runs single-threaded: its worker threads spin in `sched_yield` between
/// calls, which on a 2-core machine takes a core from our own threads (issue 16). Instead each
/// large product is split here into `Parallel.threads` independent sgemms on disjoint output rows.
public enum Matmul {
    /// Below this many multiply-adds a product runs on the calling thread (a split costs a few µs).
    public static let splitThreshold = 1 << 18

    /// Makes OpenBLAS single-threaded before its first use; every entry point goes through it.
    @usableFromInline
    static let blasIsSingleThreaded: Bool = {
        openblas_set_num_threads(1)
        return true
    }()

    /// Runs `body(rowRange)` over `0..<rows` split across cores when the product is big enough.
    @inlinable
    static func split(rows: Int, work: Int, _ body: (Range<Int>) -> Void) {
        _ = blasIsSingleThreaded
        if work < splitThreshold || rows < 2 { body(0..<rows); return }
        Parallel.forRanges(rows, granule: rows >= 64 ? 16 : 1, body)
    }

    /// out[m×n] = alpha · a[m×k] · b[n×k]ᵀ + beta · out   (linear layer forward)
    @inlinable
    public static func linear(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                              m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0) {
        if m >= 2 * Parallel.threads {
            split(rows: m, work: m * n * k) { r in
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, blasint(r.count), blasint(n), blasint(k),
                            alpha, a + r.lowerBound * k, blasint(k), b, blasint(k), beta, out + r.lowerBound * n, blasint(n))
            }
        } else {
            // Few rows (a decode step, a short batch): split the output columns instead.
            split(rows: n, work: m * n * k) { c in
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, blasint(m), blasint(c.count), blasint(k),
                            alpha, a, blasint(k), b + c.lowerBound * k, blasint(k), beta, out + c.lowerBound, blasint(n))
            }
        }
    }

    /// out[m×n] = alpha · a[m×k] · b[k×n] + beta · out   (input gradient: dx = dy · W)
    @inlinable
    public static func nn(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                          m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0) {
        if m >= 2 * Parallel.threads {
            split(rows: m, work: m * n * k) { r in
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(r.count), blasint(n), blasint(k),
                            alpha, a + r.lowerBound * k, blasint(k), b, blasint(n), beta, out + r.lowerBound * n, blasint(n))
            }
        } else {
            split(rows: n, work: m * n * k) { c in
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(m), blasint(c.count), blasint(k),
                            alpha, a, blasint(k), b + c.lowerBound, blasint(n), beta, out + c.lowerBound, blasint(n))
            }
        }
    }

    /// out[m×n] = alpha · a[k×m]ᵀ · b[k×n] + beta · out   (weight gradient: dW += dyᵀ · x)
    @inlinable
    public static func tn(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                          m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0) {
        if m >= 2 * Parallel.threads {
            // Output rows r are columns r of a: same leading dimension, shifted start.
            split(rows: m, work: m * n * k) { r in
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, blasint(r.count), blasint(n), blasint(k),
                            alpha, a + r.lowerBound, blasint(m), b, blasint(n), beta, out + r.lowerBound * n, blasint(n))
            }
        } else {
            split(rows: n, work: m * n * k) { c in
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, blasint(m), blasint(c.count), blasint(k),
                            alpha, a, blasint(m), b + c.lowerBound, blasint(n), beta, out + c.lowerBound, blasint(n))
            }
        }
    }

    /// y[n] = W[n×k] · x[k]   (single-token decode)
    @inlinable
    public static func gemv(_ y: UnsafeMutablePointer<Float>, _ w: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                            n: Int, k: Int, beta: Float = 0) {
        split(rows: n, work: n * k) { r in
            cblas_sgemv(CblasRowMajor, CblasNoTrans, blasint(r.count), blasint(k), 1, w + r.lowerBound * k, blasint(k),
                        x, 1, beta, y + r.lowerBound, 1)
        }
    }

    /// A single-threaded sgemm on the calling thread, for code that splits work itself
    /// (e.g. attention heads across cores). Same argument order as `cblas_sgemm`, row-major.
    @inlinable
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                             _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
        _ = blasIsSingleThreaded
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
}

/// Which OpenBLAS build and kernel is running, and how many threads our kernels split across;
/// benchmarks print this next to their figures.
public enum BLASInfo {
    public static var coreName: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }
    public static var config: String { openblas_get_config().map { String(cString: $0) } ?? "unknown" }
    /// Threads of our own splits (OpenBLAS itself stays at one thread).
    public static var threads: Int { Parallel.threads }
    /// OpenBLAS's own thread count (1 once any `Matmul` ran).
    public static var openBLASThreads: Int { _ = Matmul.blasIsSingleThreaded; return Int(openblas_get_num_threads()) }
    /// Sets the threads of our splits; OpenBLAS stays single-threaded.
    public static func setThreads(_ n: Int) {
        _ = Matmul.blasIsSingleThreaded
        Parallel.threads = max(1, n)
    }
}
