import Kernels

/// A weight matrix (out, in) stored compactly for memory-bound single-token decoding, where
/// reading the weights dominates: Q8 (int8 with one Float scale per 32 values, ≈1.1 bytes per
/// weight) or BF16 (2 bytes). `multiply` computes y = W·x (+ y when accumulating).
///
/// Written with Swift SIMD types so it builds for baseline x86-64 (no AVX requirement).
public struct CompactMatrix: @unchecked Sendable {
    public enum Format: String, Sendable, CaseIterable { case q8, bf16 }

    public let format: Format
    public let rows: Int
    public let columns: Int
    private let quants: UnsafeMutablePointer<Int8>?
    private let scales: UnsafeMutablePointer<Float>?
    private let halves: UnsafeMutablePointer<UInt16>?

    public init(_ w: UnsafePointer<Float>, rows: Int, columns: Int, format: Format) {
        precondition(columns % 32 == 0, "compact rows need whole 32-value blocks")
        self.format = format
        self.rows = rows
        self.columns = columns
        switch format {
        case .q8:
            let q = UnsafeMutablePointer<Int8>.allocate(capacity: rows * columns)
            let s = UnsafeMutablePointer<Float>.allocate(capacity: rows * columns / 32)
            for b in 0..<rows * columns / 32 {
                let src = w + b * 32
                var amax: Float = 0
                for j in 0..<32 { amax = max(amax, abs(src[j])) }
                let d = amax / 127
                let inv: Float = d == 0 ? 0 : 1 / d
                s[b] = d
                for j in 0..<32 { q[b * 32 + j] = Int8((src[j] * inv).rounded()) }
            }
            quants = q; scales = s; halves = nil
        case .bf16:
            let h = UnsafeMutablePointer<UInt16>.allocate(capacity: rows * columns)
            BFloat16Conversion.round(w, into: h, count: rows * columns)
            halves = h; quants = nil; scales = nil
        }
    }

    public func release() {
        quants?.deallocate(); scales?.deallocate(); halves?.deallocate()
    }

    public var byteCount: Int { format == .q8 ? rows * columns + rows * columns / 8 : rows * columns * 2 }

    /// y[r] (+)= Σ_c W[r, c]·x[c] for r in `range`.
    public func multiply(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, rows range: Range<Int>, accumulate: Bool) {
        let blocks = columns / 32
        let xv = UnsafeRawPointer(x)
        switch format {
        case .q8:
            let q = UnsafeRawPointer(quants!), s = scales!
            for r in range {
                var total: Float = 0
                let rowQ = q + r * columns
                let rowS = s + r * blocks
                for b in 0..<blocks {
                    var acc = SIMD16<Float>()
                    let qb = rowQ + b * 32, xb = xv + b * 128
                    acc += SIMD16<Float>(qb.loadUnaligned(as: SIMD16<Int8>.self)) * xb.loadUnaligned(as: SIMD16<Float>.self)
                    acc += SIMD16<Float>((qb + 16).loadUnaligned(as: SIMD16<Int8>.self)) * (xb + 64).loadUnaligned(as: SIMD16<Float>.self)
                    total += acc.sum() * rowS[b]
                }
                y[r] = accumulate ? y[r] + total : total
            }
        case .bf16:
            let h = UnsafeRawPointer(halves!)
            for r in range {
                var acc = SIMD16<Float>()
                let row = h + r * columns * 2
                for k in 0..<columns / 16 {
                    let bits = SIMD16<UInt32>(truncatingIfNeeded: row.loadUnaligned(fromByteOffset: k * 32, as: SIMD16<UInt16>.self)) &<< 16
                    acc += unsafeBitCast(bits, to: SIMD16<Float>.self) * xv.loadUnaligned(fromByteOffset: k * 64, as: SIMD16<Float>.self)
                }
                y[r] = accumulate ? y[r] + acc.sum() : acc.sum()
            }
        }
    }
}
