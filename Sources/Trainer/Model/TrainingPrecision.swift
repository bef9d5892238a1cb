/// The number format of what a training step keeps in memory. Arithmetic is fp32 either way: the
/// CPUs this runs on (AVX2) have no bf16 multiply and Debian's OpenBLAS no bf16 GEMM, so bf16 buys
/// memory and memory traffic, never faster arithmetic.
///
/// - `fp32`: everything in fp32.
/// - `bf16`: the activations each block keeps between its forward and its backward are stored in
///   bf16 (when blocks are kept rather than recomputed), and a LoRA run's frozen base weights too;
///   both are widened to fp32 right before use. Trained values (full weights or LoRA adapters),
///   their gradients and AdamW's moments stay fp32, as does the residual stream.
public enum TrainingPrecision: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    case fp32, bf16

    public var description: String { rawValue }
}
