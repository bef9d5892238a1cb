import CKernels

/// fp32 ↔ bf16 (the top half of an fp32's bits), the one implementation for the trainer's mixed
/// precision. Rounding is to nearest with ties to even; NaN stays NaN; bf16 → fp32 is exact.
/// The AVX2 kernel (`bf16_convert.c`) runs when cpuid allows, the portable one otherwise.
public enum BFloat16Conversion {
    /// dst[i] = bf16(src[i]) for i in 0..<count.
    @inlinable
    public static func round(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<UInt16>, count: Int,
                             level: KernelLevel = .best) {
        let status = nn_f32_to_bf16(level.rawValue, src, dst, count)
        precondition(status == 0, "bf16 kernel level \(level) cannot run on this CPU")
    }

    /// dst[i] = fp32(src[i]) for i in 0..<count.
    @inlinable
    public static func widen(_ src: UnsafePointer<UInt16>, into dst: UnsafeMutablePointer<Float>, count: Int,
                             level: KernelLevel = .best) {
        let status = nn_bf16_to_f32(level.rawValue, src, dst, count)
        precondition(status == 0, "bf16 kernel level \(level) cannot run on this CPU")
    }
}
