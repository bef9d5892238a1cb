/// exp over 8 lanes, for the trainer's softmaxes and SwiGLU, which otherwise spend most of their
/// time in scalar libm `expf` calls. Range reduction x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in
/// two parts so n·ln2 is exact), a degree-6 polynomial for eʳ, and 2ⁿ built in the exponent bits.
/// Relative error ≤ 2e-7 over the clamped range; only SSE2 operations, so it runs on any x86-64.
@inline(__always)
func exp8(_ input: SIMD8<Float>) -> SIMD8<Float> {
    let x = input.replacing(with: -87.0, where: input .< -87.0).replacing(with: 88.0, where: input .> 88.0)
    // Round x·log2(e) to the nearest integer with the 1.5·2²³ trick (no SSE4.1 `roundps` needed).
    let shifter = SIMD8<Float>(repeating: 12_582_912)
    let shifted = x * 1.442_695_04 + shifter
    let n = shifted - shifter
    let r = (x - n * 0.693_359_375) - n * -2.121_944_4e-4
    var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 1.666_666_55e-1
    p = p * r + 5.000_000_12e-1
    let y = p * (r * r) + r + 1
    // The low mantissa bits of `shifted` hold n (plus the shifter's own bits): no float→int conversion.
    let nBits = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
    let scale = (nBits &+ 127) &<< 23
    return y * unsafeBitCast(scale, to: SIMD8<Float>.self)
}

/// Scalar companion of `exp8` for loop tails, so a row's values do not depend on where the
/// vector loop stops.
@inline(__always)
func exp1(_ x: Float) -> Float { exp8(SIMD8(repeating: x))[0] }

/// row[j] = exp(row[j] − shift) for j in 0..<count; returns the sum of the results.
@inline(__always)
func expShiftedSum(_ row: UnsafeMutablePointer<Float>, count: Int, shift: Float) -> Float {
    var acc = SIMD8<Float>(repeating: 0)
    var j = 0
    let s = SIMD8<Float>(repeating: shift)
    while j + 8 <= count {
        let e = exp8(UnsafeRawPointer(row + j).loadUnaligned(as: SIMD8<Float>.self) - s)
        UnsafeMutableRawPointer(row + j).storeBytes(of: e, as: SIMD8<Float>.self)
        acc += e
        j += 8
    }
    var sum = acc.sum()
    while j < count { let e = exp1(row[j] - shift); row[j] = e; sum += e; j += 1 }
    return sum
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
