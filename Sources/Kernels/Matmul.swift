import CBLAS

/// Row-major single-precision GEMM wrappers over OpenBLAS, named for the shapes transformer
/// code needs. Weights are stored (out, in) as in llm.c, so a linear layer is `x · Wᵀ`.
public enum Matmul {
    /// out[m×n] = alpha · a[m×k] · b[n×k]ᵀ + beta · out   (linear layer forward)
    @inlinable
    public static func linear(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                              m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, blasint(m), blasint(n), blasint(k),
                    alpha, a, blasint(k), b, blasint(k), beta, out, blasint(n))
    }

    /// out[m×n] = alpha · a[m×k] · b[k×n] + beta · out   (input gradient: dx = dy · W)
    @inlinable
    public static func nn(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                          m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(m), blasint(n), blasint(k),
                    alpha, a, blasint(k), b, blasint(n), beta, out, blasint(n))
    }

    /// out[m×n] = alpha · a[k×m]ᵀ · b[k×n] + beta · out   (weight gradient: dW += dyᵀ · x)
    @inlinable
    public static func tn(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                          m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, blasint(m), blasint(n), blasint(k),
                    alpha, a, blasint(m), b, blasint(n), beta, out, blasint(n))
    }

    /// y[n] = W[n×k] · x[k]   (single-token decode)
    @inlinable
    public static func gemv(_ y: UnsafeMutablePointer<Float>, _ w: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                            n: Int, k: Int, beta: Float = 0) {
        cblas_sgemv(CblasRowMajor, CblasNoTrans, blasint(n), blasint(k), 1, w, blasint(k), x, 1, beta, y, 1)
    }
}

/// Which OpenBLAS build and kernel is running; benchmarks print this next to their figures.
public enum BLASInfo {
    public static var coreName: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }
    public static var config: String { openblas_get_config().map { String(cString: $0) } ?? "unknown" }
    public static var threads: Int { Int(openblas_get_num_threads()) }
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }
}
