import ArgumentParser
import Kernels

/// `--gemm`: which GEMM a benchmark's prefill or training runs, to print the project's AVX-512
/// kernel and OpenBLAS side by side from one build (the default is what the CLI picks: cpuid).
struct GEMMKernelOption: ParsableArguments {
    @Option(help: "GEMM kernel: avx512 (this project's, where the CPU has AVX-512) or openblas (default: picked by cpuid).")
    var gemm: Matmul.Kernel?

    func validate() throws {
        if let gemm, !gemm.isSupported { throw ValidationError("--gemm \(gemm.rawValue): this CPU has no AVX-512") }
    }

    func apply() { if let gemm { Matmul.kernel = gemm } }
}

extension Matmul.Kernel: ExpressibleByArgument {}
