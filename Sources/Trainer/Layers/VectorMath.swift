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
