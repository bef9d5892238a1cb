import CKernels

/// Which instruction set the quantized kernels use, chosen once from cpuid at run time (never
/// from environment variables), so one binary runs the AVX-512/VNNI path where the CPU has it and
/// the AVX2 path elsewhere.
public enum KernelLevel: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case scalar = 0, avx2 = 1, avx512vnni = 2

    /// The best level this CPU and OS support.
    public static let best = KernelLevel(rawValue: nn_kernel_best_level()) ?? .scalar
    public var isSupported: Bool { nn_kernel_level_supported(rawValue) != 0 }
    public var description: String { String(cString: nn_kernel_level_name(rawValue)) }
    /// The CPU features the dispatch saw, for benchmark reports.
    public static var cpuFeatures: String { String(cString: nn_cpu_features()) }
}
