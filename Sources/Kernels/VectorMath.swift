import CKernels
import Foundation

/// The elementwise row functions built on exp (softmax's exp-and-sum, SwiGLU forward and backward),
/// for the engine and the trainer alike. They run in C (`Sources/CKernels/elementwise.c`) at the
/// cpuid-picked level: Swift's SIMD types compile to baseline SSE in this package, and with them
/// these functions were 40% of a 512-token prefill. exp(x) = 2ⁿ·p(r), n = round(x/ln 2),
/// |r| ≤ ln2/2, p the degree-7 Taylor polynomial (relative error < 2e-7), one formula for every
/// lane and loop tail (`simd_exp.h`).
public enum VectorMath {
    /// v[i] = exp(v[i] - shift) for i < count; returns the sum (`nn_exp_shifted_sum`, AVX2 behind cpuid).
    public static func expShifted(_ v: UnsafeMutablePointer<Float>, count: Int, shift: Float,
                                  level: KernelLevel = .best) -> Float {
        nn_exp_shifted_sum(level.rawValue, v, count, shift)
    }

    /// gate[i] = silu(gate[i]) · up[i] (`nn_swiglu`, AVX2 behind cpuid).
    public static func swiGLU(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, count: Int,
                              level: KernelLevel = .best) {
        swiGLU(into: gate, gate: gate, up: up, count: count, level: level)
    }

    /// out[i] = silu(gate[i]) · up[i].
    public static func swiGLU(into out: UnsafeMutablePointer<Float>, gate: UnsafePointer<Float>, up: UnsafePointer<Float>,
                              count: Int, level: KernelLevel = .best) {
        let status = nn_swiglu(level.rawValue, out, gate, up, count)
        precondition(status == 0, "SwiGLU kernel \(level) unavailable")
    }

    /// SwiGLU's backward: dgate = dh·up·σ(g)(1 + g(1−σ(g))), dup = dh·silu(g); both overwritten.
    public static func swiGLUBackward(dgate: UnsafeMutablePointer<Float>, dup: UnsafeMutablePointer<Float>,
                                      dout: UnsafePointer<Float>, gate: UnsafePointer<Float>, up: UnsafePointer<Float>,
                                      count: Int, level: KernelLevel = .best) {
        let status = nn_swiglu_backward(level.rawValue, dgate, dup, dout, gate, up, count)
        precondition(status == 0, "SwiGLU backward kernel \(level) unavailable")
    }

    /// y[i] += x[i] (bias rows).
    public static func add(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { y[i] += x[i] }
    }
}
