import Foundation

/// Vectorised exp and the elementwise functions built on it (softmax's exp-and-sum, SwiGLU), which
/// with scalar `expf` cost a fifth of a 512-token prefill. The one implementation for the engine
/// and the trainer.
///
/// exp(x) = 2ⁿ·exp(r) with n = round(x/ln 2) and |r| ≤ ln2/2, exp(r) by its degree-7 Taylor
/// polynomial (relative error < 2e-7 before rounding). Rounding uses the 1.5·2²³ trick so it
/// needs nothing beyond baseline x86-64 SIMD.
public enum VectorMath {
    @inlinable @inline(__always)
    public static func exp(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let clamped = x.clamped(lowerBound: SIMD16(repeating: -87.3), upperBound: SIMD16(repeating: 88.3))
        let magic = SIMD16<Float>(repeating: 12_582_912)          // 1.5 · 2^23
        let shifted = clamped * 1.442_695_04 + magic
        let n = shifted - magic
        let r = clamped - n * 0.693_145_75 - n * 1.428_606_8e-6   // ln 2 split in two for accuracy
        var p = SIMD16<Float>(repeating: 1.0 / 5040)
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let k = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000
        let scale = unsafeBitCast((k &+ 127) &<< 23, to: SIMD16<Float>.self)
        return p * scale
    }

    /// v[i] = exp(v[i] - shift) for i < count; returns the sum.
    public static func expShifted(_ v: UnsafeMutablePointer<Float>, count: Int, shift: Float) -> Float {
        var total = SIMD16<Float>()
        let raw = UnsafeMutableRawPointer(v)
        var i = 0
        while i + 16 <= count {
            let e = exp(raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) - shift)
            raw.storeBytes(of: e, toByteOffset: i * 4, as: SIMD16<Float>.self)
            total += e
            i += 16
        }
        var sum = total.sum()
        while i < count { let e = expf(v[i] - shift); v[i] = e; sum += e; i += 1 }
        return sum
    }

    /// gate[i] = silu(gate[i]) · up[i].
    public static func swiGLU(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, count: Int) {
        let g = UnsafeMutableRawPointer(gate), u = UnsafeRawPointer(up)
        var i = 0
        while i + 16 <= count {
            let x = g.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            let silu = x / (1 + exp(-x))
            g.storeBytes(of: silu * u.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self), toByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        while i < count { let x = gate[i]; gate[i] = x / (1 + expf(-x)) * up[i]; i += 1 }
    }

    /// y[i] += x[i] (bias rows).
    public static func add(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { y[i] += x[i] }
    }
}
