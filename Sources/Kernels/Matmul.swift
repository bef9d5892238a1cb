import CBLAS
import CKernels

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
                gemm(false, true, blasint(r.count), blasint(n), blasint(k),
                            alpha, a + r.lowerBound * k, blasint(k), b, blasint(k), beta, out + r.lowerBound * n, blasint(n))
            }
        } else {
            // Few rows (a decode step, a short batch): split the output columns instead.
            split(rows: n, work: m * n * k) { c in
                gemm(false, true, blasint(m), blasint(c.count), blasint(k),
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
                gemm(false, false, blasint(r.count), blasint(n), blasint(k),
                            alpha, a + r.lowerBound * k, blasint(k), b, blasint(n), beta, out + r.lowerBound * n, blasint(n))
            }
        } else {
            split(rows: n, work: m * n * k) { c in
                gemm(false, false, blasint(m), blasint(c.count), blasint(k),
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
                gemm(true, false, blasint(r.count), blasint(n), blasint(k),
                            alpha, a + r.lowerBound, blasint(m), b, blasint(n), beta, out + r.lowerBound * n, blasint(n))
            }
        } else {
            split(rows: n, work: m * n * k) { c in
                gemm(true, false, blasint(m), blasint(c.count), blasint(k),
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
        gemm(transA, transB, blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// Which GEMM runs the products: the project's AVX-512 kernel where cpuid reports AVX-512
    /// (OpenBLAS may be held to its AVX2 kernel by OPENBLAS_CORETYPE, which the project leaves
    /// alone), OpenBLAS elsewhere. Products too thin for a 12 × 32 tile always go to OpenBLAS.
    public enum Kernel: String, Sendable, CaseIterable {
        case openBLAS = "openblas", avx512
        /// What a benchmark prints: the kernel and, for OpenBLAS, the core it runs.
        public var description: String { self == .avx512 ? "nnetnav AVX-512 (cpuid)" : "OpenBLAS \(BLASInfo.coreName)" }
        public var isSupported: Bool { self == .openBLAS || KernelLevel.avx512vnni.isSupported }
    }
    public nonisolated(unsafe) static var kernel: Kernel = KernelLevel.best == .avx512vnni ? .avx512 : .openBLAS

    /// One single-threaded product (`cblas_sgemm`'s arguments, row-major) on `kernel`.
    @usableFromInline
    static func gemm(_ transA: Bool, _ transB: Bool, _ m: blasint, _ n: blasint, _ k: blasint, _ alpha: Float,
                     _ a: UnsafePointer<Float>, _ lda: blasint, _ b: UnsafePointer<Float>, _ ldb: blasint,
                     _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: blasint) {
        _ = blasIsSingleThreaded
        if kernel == .avx512, m >= 8, n >= 16, k >= 8,
           nn_sgemm(KernelLevel.avx512vnni.rawValue, transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc)) == 0 {
            return
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
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
