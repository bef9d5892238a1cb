import CKernels
import Kernels
import Testing

/// The AVX-512 GEMM (`nn_sgemm`) against a double-precision triple loop: every transpose pair,
/// sizes that leave partial 12-row strips, 32-column panels and 256-deep k blocks, leading
/// dimensions wider than the matrices, alpha/beta, and beta = 0 over a C full of NaN (which it
/// must not read).
@Suite struct SgemmKernelTests {
    static func random(_ count: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float.random(in: -1...1, using: &rng) }
    }

    struct Case: CustomStringConvertible, Sendable {
        var transA, transB: Bool
        var m, n, k: Int
        var alpha, beta: Float
        var description: String { "\(transA ? "T" : "N")\(transB ? "T" : "N") \(m)×\(n)×\(k) α\(alpha) β\(beta)" }
    }

    static let cases: [Case] = [
        Case(transA: false, transB: true, m: 37, n: 77, k: 300, alpha: 1, beta: 0),
        Case(transA: false, transB: false, m: 12, n: 32, k: 256, alpha: 0.5, beta: 1),
        Case(transA: true, transB: false, m: 131, n: 45, k: 513, alpha: 1, beta: 0.25),
        Case(transA: true, transB: true, m: 8, n: 16, k: 8, alpha: -2, beta: 0),
        Case(transA: false, transB: true, m: 250, n: 2100, k: 40, alpha: 1, beta: 0),
    ]

    @Test(.enabled(if: KernelLevel.avx512vnni.isSupported, "this CPU has no AVX-512; OpenBLAS runs every product"),
          arguments: cases)
    func matchesADoublePrecisionReference(_ t: Case) {
        // Stored shapes: A is m×k (or k×m transposed), B k×n (or n×k); 3 extra columns of padding each.
        let (aRows, aCols) = t.transA ? (t.k, t.m) : (t.m, t.k)
        let (bRows, bCols) = t.transB ? (t.n, t.k) : (t.k, t.n)
        let lda = aCols + 3, ldb = bCols + 3, ldc = t.n + 3
        let a = Self.random(aRows * lda, seed: 1), b = Self.random(bRows * ldb, seed: 2)
        let c0 = t.beta == 0 ? [Float](repeating: .nan, count: t.m * ldc) : Self.random(t.m * ldc, seed: 3)
        var c = c0
        let status = nn_sgemm(KernelLevel.avx512vnni.rawValue, t.transA ? 1 : 0, t.transB ? 1 : 0, Int32(t.m), Int32(t.n),
                              Int32(t.k), t.alpha, a, Int32(lda), b, Int32(ldb), t.beta, &c, Int32(ldc))
        #expect(status == 0)
        var worst = 0.0
        for i in 0..<t.m {
            for j in 0..<t.n {
                var sum = 0.0
                for p in 0..<t.k {
                    let av = t.transA ? a[p * lda + i] : a[i * lda + p]
                    let bv = t.transB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(av) * Double(bv)
                }
                let expected = Double(t.alpha) * sum + (t.beta == 0 ? 0 : Double(t.beta) * Double(c0[i * ldc + j]))
                worst = max(worst, abs(Double(c[i * ldc + j]) - expected))
            }
            // The padding between rows is never written.
            for j in t.n..<ldc where i * ldc + j < c.count {
                #expect(c[i * ldc + j].bitPattern == c0[i * ldc + j].bitPattern, "\(t): padding at row \(i) written")
            }
        }
        #expect(worst <= 1e-5 * Double(t.k) * Double(abs(t.alpha)) + 1e-6, "\(t): max |Δ| \(worst)")
    }

    @Test func refusesWithoutAVX512() {
        var c: [Float] = [0]
        let status = nn_sgemm(KernelLevel.avx2.rawValue, 0, 0, 1, 1, 1, 1, [1], 1, [1], 1, 0, &c, 1)
        #expect(status == -1, "the AVX2 level leaves products to OpenBLAS")
    }
}
