import Kernels
/// row[j] = exp(row[j] − shift) for j in 0..<count; returns the sum of the results (the engine's
/// kernel, `VectorMath.expShifted`: one exp for inference and training).
@inline(__always)
func expShiftedSum(_ row: UnsafeMutablePointer<Float>, count: Int, shift: Float) -> Float {
    VectorMath.expShifted(row, count: count, shift: shift)
}

/// Largest of `count` floats (−∞ when empty).
@inline(__always)
func maxOf(_ row: UnsafePointer<Float>, count: Int) -> Float {
    var m = SIMD8<Float>(repeating: -.infinity)
    var j = 0
    while j + 8 <= count {
        m = pointwiseMax(m, UnsafeRawPointer(row + j).loadUnaligned(as: SIMD8<Float>.self))
        j += 8
    }
    var best = m.max()
    while j < count { best = max(best, row[j]); j += 1 }
    return best
}
