import CBLAS
import Kernels

/// The trainer's large GEMMs, split by output rows over `workers` cores, each part a
/// single-threaded OpenBLAS call. OpenBLAS's own threads spin (sched_yield) between calls and
/// fight the trainer's other work for the two cores; GCD workers sleep instead. Same products
/// and shapes as `Matmul` (weights are (out, in): a linear layer is x·Wᵀ).
struct SplitMatmul {
    var workers: Int

    /// Below this many multiply-adds a GEMM runs as one call: splitting would cost more than it saves.
    static let splitThreshold = 1 << 21

    private func parts(m: Int, n: Int, k: Int) -> Int {
        m * n * k < Self.splitThreshold ? 1 : min(workers, max(1, m / 16))
    }

    private func split(m: Int, n: Int, k: Int, _ body: @escaping @Sendable (_ m0: Int, _ rows: Int) -> Void) {
        let p = parts(m: m, n: n, k: k)
        guard p > 1 else { body(0, m); return }
        // Part boundaries on multiples of 8 rows keep each part's rows SIMD-aligned.
        let step = (m / p + 7) / 8 * 8
        WorkSplit.run(p) { i in
            let m0 = min(m, i * step), m1 = i == p - 1 ? m : min(m, (i + 1) * step)
            if m1 > m0 { body(m0, m1 - m0) }
        }
    }

    /// out[m×n] = alpha · a[m×k] · b[n×k]ᵀ + beta · out
    func linear(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0) {
        let o = Operands(out, a, b)
        GEMMClock.measure(m: m, n: n, k: k) {
            split(m: m, n: n, k: k) { m0, rows in
                Matmul.linear(o.out + m0 * n, o.a + m0 * k, o.b, m: rows, n: n, k: k, alpha: alpha, beta: beta)
            }
        }
    }

    /// out[m×n] = alpha · a[m×k] · b[k×n] + beta · out
    func nn(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
            m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0) {
        let o = Operands(out, a, b)
        GEMMClock.measure(m: m, n: n, k: k) {
            split(m: m, n: n, k: k) { m0, rows in
                Matmul.nn(o.out + m0 * n, o.a + m0 * k, o.b, m: rows, n: n, k: k, alpha: alpha, beta: beta)
            }
        }
    }

    /// out[m×n] = alpha · a[k×m]ᵀ · b[k×n] + beta · out   (split over out's rows = a's columns)
    func tn(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
            m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0) {
        let o = Operands(out, a, b)
        GEMMClock.measure(m: m, n: n, k: k) {
            split(m: m, n: n, k: k) { m0, rows in
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, blasint(rows), blasint(n), blasint(k),
                            alpha, o.a + m0, blasint(m), o.b, blasint(n), beta, o.out + m0 * n, blasint(n))
            }
        }
    }

    /// A column panel of a wider product: out[m×n], rows `ldOut` apart, = a[m×k] · b[n×k]ᵀ.
    /// (The bf16 output head computes its logits one vocabulary panel at a time.)
    func linear(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                m: Int, n: Int, k: Int, ldOut: Int) {
        let o = Operands(out, a, b)
        GEMMClock.measure(m: m, n: n, k: k) {
            split(m: m, n: n, k: k) { m0, rows in
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, blasint(rows), blasint(n), blasint(k),
                            1, o.a + m0 * k, blasint(k), o.b, blasint(k), 0, o.out + m0 * ldOut, blasint(ldOut))
            }
        }
    }

    /// out[m×n] = a[m×k], rows `ldA` apart, · b[k×n] + beta · out: a row panel of dx = dlogits · W.
    func nn(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
            m: Int, n: Int, k: Int, ldA: Int, beta: Float) {
        let o = Operands(out, a, b)
        GEMMClock.measure(m: m, n: n, k: k) {
            split(m: m, n: n, k: k) { m0, rows in
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(rows), blasint(n), blasint(k),
                            1, o.a + m0 * ldA, blasint(ldA), o.b, blasint(n), beta, o.out + m0 * n, blasint(n))
            }
        }
    }

    private struct Operands: @unchecked Sendable {
        let out: UnsafeMutablePointer<Float>
        let a: UnsafePointer<Float>
        let b: UnsafePointer<Float>
        init(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>) {
            self.out = out
            self.a = a
            self.b = b
        }
    }
}
